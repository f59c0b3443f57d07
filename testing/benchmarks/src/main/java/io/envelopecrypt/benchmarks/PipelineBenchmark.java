package io.envelopecrypt.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.Stack;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline benchmark: the payment generator → (EncryptPayload) → Apicurio AvroConverter → Kafka →
 * AvroConverter → (DecryptPayload) → counting sink, on the embedded stack (KRaft broker, Apicurio Registry,
 * one Kafka Connect 4.4 worker process loading the plugin from its archive, the Key Vault test double).
 *
 * <p>For each key mode it alternates plain and encrypted runs, so both see the same machine state, and
 * reports medians: source throughput (records/s into the topic, timed between 10% and 100% of the records
 * so that task start-up is left out), sink throughput (a second connector reading the full topic), end-to-end
 * latency at a fixed rate below saturation (arrival at the sink minus the generator's record timestamp), and
 * the bytes per record the topic holds with each compression type. Usage:
 * {@code scripts/bench.sh pipeline [--records N] [--rounds R] [--kek local|keyvault|both] [--out FILE]
 * [--payload inline,registry+zstd]}: each encrypted variant of {@code --payload} is measured against the plain
 * pipeline in the same rounds.
 */
public final class PipelineBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GENERATOR = "io.envelopecrypt.testconnectors.PaymentGeneratorConnector";
    private static final String COUNTER = "io.envelopecrypt.testconnectors.CountingSinkConnector";
    private static final String ENCRYPT = "io.envelopecrypt.connect.transforms.EncryptPayload";
    private static final String DECRYPT = "io.envelopecrypt.connect.transforms.DecryptPayload";
    private static final String KEY = "bench-kek";
    private static final String SECRET = "bench-secret";

    private final Stack stack;
    private final ConnectCluster connect;
    private final Options options;
    private String clientId;
    private final String localKey = randomKey();
    private int runs;

    /** Command-line options. */
    static final class Options {
        long records = 300_000;
        int rounds = 3;
        List<String> keks = List.of("local", "keyvault");
        int latencyRate = 5_000;
        int latencySeconds = 20;
        long sizeRecords = 100_000;
        Path out = Path.of("benchmarks", "target", "pipeline-benchmark.md");
        Path profile;
        String converter = "apicurio";
        String compression = "lz4";
        boolean skipLatency;
        boolean skipSizes;
        /** Encrypted variants measured side by side: inline or registry payload schemas, with a payload compression. */
        List<String> payloads = List.of("inline");

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--records" -> o.records = Long.parseLong(value);
                    case "--rounds" -> o.rounds = Integer.parseInt(value);
                    case "--kek" -> o.keks = "both".equals(value) ? List.of("local", "keyvault") : List.of(value);
                    case "--latency-rate" -> o.latencyRate = Integer.parseInt(value);
                    case "--latency-seconds" -> o.latencySeconds = Integer.parseInt(value);
                    case "--size-records" -> o.sizeRecords = Long.parseLong(value);
                    case "--out" -> o.out = Path.of(value);
                    case "--profile" -> o.profile = Path.of(value);
                    case "--converter" -> o.converter = value;
                    case "--compression" -> o.compression = value;
                    case "--payload" -> o.payloads = List.of(value.split(","));
                    case "--skip" -> {
                        o.skipLatency = value.contains("latency");
                        o.skipSizes = value.contains("sizes");
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; options: --records N --rounds R --kek local|keyvault|both --latency-rate N "
                            + "--latency-seconds N --size-records N --out FILE --profile FILE.jfr --skip latency,sizes --converter apicurio|json --compression none|lz4|zstd|gzip|snappy --payload inline,registry,registry+zstd,...");
                }
                i++;
            }
            return o;
        }
    }

    private PipelineBenchmark(Stack stack, ConnectCluster connect, Options options) {
        this.stack = stack;
        this.connect = connect;
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        try (Stack stack = Stack.create(System.out::println)) {
            stack.startBroker().startRegistry().startKeyVault();
            ConnectCluster.Options worker = new ConnectCluster.Options().workers(1).groupId("bench").maxHeap("2g").g1();
            if (options.profile != null) {
                worker.jvmOption("-XX:StartFlightRecording=filename=" + options.profile.toAbsolutePath() + ",settings=profile");
            }
            ConnectCluster connect = stack.startConnect(worker);
            PipelineBenchmark bench = new PipelineBenchmark(stack, connect, options);
            bench.prepareKeyVault();
            String report = bench.run();
            Files.createDirectories(options.out.toAbsolutePath().getParent());
            Files.writeString(options.out, report);
            System.out.println();
            System.out.println(report);
            System.out.println("Written to " + options.out.toAbsolutePath());
        }
    }

    private void prepareKeyVault() {
        KeyVaultTestDouble kv = stack.keyVault();
        clientId = kv.registerApp(SECRET);
        kv.grant(clientId, java.util.List.of("keys/get", "keys/unwrapkey")); // denied by default, as in Azure
        kv.createRsaKey(KEY, 3072, List.of("wrapKey", "unwrapKey"));
    }

    private Map<String, String> kek(String mode, String prefix) {
        Map<String, String> c = new LinkedHashMap<>();
        if ("local".equals(mode)) {
            c.put(prefix + "kek.provider", "local");
            c.put(prefix + "local.key", localKey);
            return c;
        }
        KeyVaultTestDouble kv = stack.keyVault();
        c.put(prefix + "kek.provider", "azure-keyvault");
        c.put(prefix + "azure.keyvault.url", kv.vaultUrl());
        c.put(prefix + "azure.keyvault.key.name", KEY);
        c.put(prefix + "azure.credential.type", "client-secret");
        c.put(prefix + "azure.tenant.id", KeyVaultTestDouble.TENANT_ID);
        c.put(prefix + "azure.client.id", clientId);
        c.put(prefix + "azure.client.secret", SECRET);
        c.put(prefix + "azure.authority.host", kv.authorityHost());
        c.put(prefix + "azure.keyvault.challenge.resource.verification", "false"); // the double's host is localhost
        c.put(prefix + "azure.ssl.truststore.location", stack.keyVaultCaFile().toString());
        return c;
    }

    private Map<String, String> source(String topic, long records, int rate, String kek, String payload, String compression) {
        // At a fixed rate, small polls spread the records evenly instead of in bursts of a whole batch.
        return source(topic, records, rate, kek, payload, compression, rate > 0 ? 50 : 1000);
    }

    /**
     * The transform settings of an encrypted variant: {@code inline} or {@code registry} payload schemas, optionally
     * {@code +lz4}, {@code +zstd} or {@code +snappy} payload compression.
     */
    private Map<String, String> payload(String variant, String prefix, boolean encrypting) {
        Map<String, String> c = new LinkedHashMap<>();
        String[] parts = variant.split("\\+");
        if ("registry".equals(parts[0])) {
            c.put(prefix + "schema.registry.url", stack.registry().ccompatUrl());
            if (encrypting) {
                c.put(prefix + "payload.schema.location", "registry");
            }
        } else if (!"inline".equals(parts[0])) {
            throw new IllegalArgumentException("payload variant " + variant + ": inline or registry, then +lz4, +zstd or +snappy");
        }
        if (parts.length > 1 && encrypting) {
            c.put(prefix + "payload.compression", parts[1]);
        }
        return c;
    }

    private Map<String, String> source(String topic, long records, int rate, String kek, String payload, String compression,
                                       int batch) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", GENERATOR);
        c.put("tasks.max", "1");
        c.put("topic", topic);
        c.put("records", String.valueOf(records));
        c.put("records.per.second", String.valueOf(rate));
        c.put("batch.size", String.valueOf(batch));
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.putAll(valueConverter());
        c.put("producer.override.linger.ms", "5");
        c.put("producer.override.batch.size", "262144");
        c.put("producer.override.compression.type", compression);
        if (kek != null) {
            c.put("transforms", "encrypt");
            c.put("transforms.encrypt.type", ENCRYPT);
            c.put("transforms.encrypt.envelope.event.type", "static:payment.created");
            c.putAll(kek(kek, "transforms.encrypt."));
            c.putAll(payload(payload, "transforms.encrypt.", true));
        }
        return c;
    }

    private Map<String, String> sink(String topic, Path summary, String kek, String payload) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", COUNTER);
        c.put("tasks.max", "1");
        c.put("topics", topic);
        c.put("file", summary.toString());
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.putAll(valueConverter());
        c.put("consumer.override.auto.offset.reset", "earliest");
        c.put("consumer.override.max.poll.records", "2000");
        if (kek != null) {
            c.put("transforms", "decrypt");
            c.put("transforms.decrypt.type", DECRYPT);
            c.putAll(kek(kek, "transforms.decrypt."));
            c.putAll(payload(payload, "transforms.decrypt.", false));
        }
        return c;
    }

    /**
     * Apicurio's AvroConverter writing the Confluent wire format (the product's setting), or Kafka's
     * JsonConverter without schemas, whose per-record cost does not grow with the schema: the two bracket
     * how much of the pipeline's cost is the converter's.
     */
    private Map<String, String> valueConverter() {
        if ("json".equals(options.converter)) {
            return Map.of("value.converter", "org.apache.kafka.connect.json.JsonConverter",
                    "value.converter.schemas.enable", "false");
        }
        return stack.registry().avroConverterConfig("value.converter");
    }

    /** One measured pass of a variant: source throughput, then sink throughput over the same topic. */
    private record Throughput(double sourcePerSecond, double sinkPerSecond) {
    }

    /** {@code payload} is the encrypted variant, or null for the plain pipeline. */
    private Throughput throughput(String kek, String payload) throws IOException {
        boolean encrypted = payload != null;
        String name = "bench-" + (++runs);
        String topic = name + "-" + (encrypted ? "encrypted" : "plain");
        long n = options.records;
        connect.createConnector(name + "-source", source(topic, n, 0, encrypted ? kek : null, payload, options.compression));
        long t10 = 0;
        long start = System.nanoTime();
        while (true) {
            long count = stack.broker().endOffsets(topic);
            long now = System.nanoTime();
            if (t10 == 0 && count >= n / 10) {
                t10 = now;
            }
            if (count >= n) {
                break;
            }
            if (Duration.ofNanos(now - start).toSeconds() > 600) {
                throw new IllegalStateException("the source did not finish: " + connect.status(name + "-source"));
            }
            sleep(50);
        }
        double source = (n - n / 10) / ((System.nanoTime() - t10) / 1e9);
        connect.deleteConnector(name + "-source");

        Path summary = stack.workDir().resolve(name + "-sink.json");
        connect.createConnector(name + "-sink", sink(topic, summary, encrypted ? kek : null, payload));
        JsonNode s = awaitCount(summary, n, name + "-sink");
        double sink = (s.get("count").asLong() - 1) * 1000.0
                / Math.max(1, s.get("lastReceivedMillis").asLong() - s.get("firstReceivedMillis").asLong());
        connect.deleteConnector(name + "-sink");
        return new Throughput(source, sink);
    }

    /** Latency percentiles at a fixed rate, source and sink running together. */
    private JsonNode latency(String kek, String payload) throws IOException {
        boolean encrypted = payload != null;
        String name = "bench-" + (++runs);
        String topic = name + "-latency";
        long n = (long) options.latencyRate * options.latencySeconds;
        Path summary = stack.workDir().resolve(name + "-latency.json");
        Map<String, String> sink = sink(topic, summary, encrypted ? kek : null, payload);
        // Steady state: the first 10% (task start, first data key, first token) are counted but not timed.
        sink.put("latency.skip.records", String.valueOf(n / 10));
        connect.createConnector(name + "-sink", sink);
        connect.createConnector(name + "-source", source(topic, n, options.latencyRate, encrypted ? kek : null, payload,
                options.compression));
        JsonNode s = awaitCount(summary, n, name + "-sink");
        connect.deleteConnector(name + "-source");
        connect.deleteConnector(name + "-sink");
        return s;
    }

    /** Bytes per record on the broker's disk (record batches, headers and keys included). */
    private double bytesPerRecord(String kek, String payload, String compression) throws Exception {
        boolean encrypted = payload != null;
        String name = "bench-" + (++runs);
        String topic = name + "-size-" + compression;
        long n = options.sizeRecords;
        connect.createConnector(name + "-source", source(topic, n, 0, encrypted ? kek : null, payload, compression));
        Wait.until(n + " records in " + topic, Duration.ofSeconds(600), () -> stack.broker().endOffsets(topic) >= n);
        connect.deleteConnector(name + "-source");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker().bootstrapServers()))) {
            long bytes = 0;
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(List.of(0)).allDescriptions().get();
            for (Map<String, LogDirDescription> byDir : dirs.values()) {
                for (LogDirDescription d : byDir.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> r : d.replicaInfos().entrySet()) {
                        if (r.getKey().topic().equals(topic)) {
                            bytes += r.getValue().size();
                        }
                    }
                }
            }
            return (double) bytes / n;
        }
    }

    private JsonNode awaitCount(Path summary, long n, String connector) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(600).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(summary)) {
                JsonNode s = JSON.readTree(summary.toFile());
                if (s.get("count").asLong() >= n) {
                    return s;
                }
            }
            sleep(100);
        }
        throw new IllegalStateException(connector + " did not receive " + n + " records: " + connect.status(connector));
    }

    private String run() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("Pipeline benchmark, value converter ").append(options.converter).append(", producer compression ").append(options.compression).append(": ").append(options.records).append(" records per throughput run, ")
                .append(options.rounds).append(" rounds alternating plain and encrypted, medians; ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n");
        md.append("| Key | Variant | Source records/s | Sink records/s | Latency p50 / p99 / p99.9 / max (ms) at ")
                .append(options.latencyRate).append(" records/s, after the first 10% |\n|---|---|---|---|---|\n");
        List<String> ratios = new ArrayList<>();
        List<String> variants = new ArrayList<>();
        variants.add(null);
        variants.addAll(options.payloads);
        for (String kek : options.keks) {
            System.out.println("== warm-up, key " + kek);
            for (String v : variants) {
                throughput(kek, v);
            }
            Map<String, List<Double>> sources = new LinkedHashMap<>();
            Map<String, List<Double>> sinks = new LinkedHashMap<>();
            for (int round = 0; round < options.rounds; round++) {
                // Each round starts with another variant, so that no variant always runs first (or last).
                for (int i = 0; i < variants.size(); i++) {
                    String v = variants.get((i + round) % variants.size());
                    Throughput t = throughput(kek, v);
                    System.out.printf("== key %s round %d %s: source %.0f/s, sink %.0f/s%n", kek, round + 1,
                            label(v), t.sourcePerSecond(), t.sinkPerSecond());
                    sources.computeIfAbsent(label(v), x -> new ArrayList<>()).add(t.sourcePerSecond());
                    sinks.computeIfAbsent(label(v), x -> new ArrayList<>()).add(t.sinkPerSecond());
                }
            }
            for (String v : variants) {
                JsonNode latency = options.skipLatency ? null : latency(kek, v);
                md.append(row(kek, label(v), median(sources.get(label(v))), median(sinks.get(label(v))), latency));
            }
            for (String v : options.payloads) {
                ratios.add(String.format("| %s | %s | %.2f | %.2f | %s | %s |", kek, label(v),
                        median(sources.get(label(v))) / median(sources.get(label(null))),
                        median(sinks.get(label(v))) / median(sinks.get(label(null))), format(sources.get(label(null))),
                        format(sources.get(label(v)))));
            }
        }
        md.append("\n| Key | Variant | Source with / without | Sink with / without | Source runs, plain | Source runs, encrypted |\n")
                .append("|---|---|---|---|---|---|\n");
        ratios.forEach(r -> md.append(r).append('\n'));

        if (options.skipSizes) {
            return md.toString();
        }
        md.append("\nBytes per record on the broker (").append(options.sizeRecords)
                .append(" records, local key, producer compression.type):\n\n| compression | plain |");
        options.payloads.forEach(v -> md.append(' ').append(label(v)).append(" | ratio |"));
        md.append("\n|---|---|");
        options.payloads.forEach(v -> md.append("---|---|"));
        md.append('\n');
        for (String compression : List.of("none", "lz4", "zstd")) {
            double plain = bytesPerRecord("local", null, compression);
            md.append(String.format("| %s | %.0f |", compression, plain));
            for (String v : options.payloads) {
                double enc = bytesPerRecord("local", v, compression);
                md.append(String.format(" %.0f | %.2f |", enc, enc / plain));
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** How a variant is named in the report: "plain", or the transforms with their payload settings. */
    private static String label(String payload) {
        return payload == null ? "plain" : "EncryptPayload / DecryptPayload, " + payload;
    }

    private static String row(String kek, String variant, double source, double sink, JsonNode latency) {
        if (latency == null) {
            return String.format("| %s | %s | %.0f | %.0f | not measured |%n", kek, variant, source, sink);
        }
        return String.format("| %s | %s | %.0f | %.0f | %d / %d / %d / %d |%n", kek, variant, source, sink,
                latency.get("p50").asLong(), latency.get("p99").asLong(), latency.get("p999").asLong(),
                latency.get("max").asLong());
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(String.format("%.0f", v)));
        return String.join(", ", out);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static {
        // Keep the broker's own logging out of the benchmark's output.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    }
}
