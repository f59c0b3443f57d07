package io.envelopecrypt.demo;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.EnvelopeReader;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Stack;
import io.envelopecrypt.harness.Wait;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The demo: starts an embedded Kafka broker, Apicurio Registry and a Kafka Connect worker with the plugin
 * on plugin.path, submits the connector-configs/ files through the Connect REST API, streams payment events
 * through EncryptPayload → Avro → Kafka → DecryptPayload, and shows what is where.
 */
public final class Demo {
    private final Options options;
    private final Console out;
    private Stack stack;
    private final CountDownLatch done = new CountDownLatch(1);

    Demo(Options options) {
        this.options = options;
        this.out = new Console(options.color);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(Options.USAGE);
            return;
        }
        int status = new Demo(options).run();
        System.exit(status);
    }

    int run() {
        Thread hook = new Thread(this::shutdown, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long started = System.nanoTime();
        try {
            out.title("Envelope Encryption for Kafka Connect: demo");
            out.line("Key-encryption key: " + options.kms.description);
            if (options.kms == Kms.LOCAL) {
                out.warn("LOCAL KEY MODE IS FOR DEVELOPMENT ONLY. The key lives in the worker's environment; "
                        + "never use it in production.");
            }
            stack = Stack.create(m -> out.step(m));
            stack.startBroker().startRegistry();
            KmsSetup kms = KmsSetup.prepare(options.kms, stack, out);
            ConnectCluster.Options workerOptions = new ConnectCluster.Options().workers(1).groupId("demo-connect")
                    .maxHeap("768m");
            kms.workerEnvironment().forEach(workerOptions::env);
            workerOptions.env("APICURIO_REGISTRY_URL", stack.registry().url() + "/apis/registry/v2");
            workerOptions.env("SCHEMA_REGISTRY_URL", stack.registry().ccompatUrl());
            ConnectCluster connect = stack.startConnect(workerOptions);

            Path received = stack.workDir().resolve("decrypted.jsonl");
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("records", String.valueOf(options.records));
            overrides.put("records.per.second", String.valueOf(options.rate));
            Map<String, String> sinkOverrides = new LinkedHashMap<>(kms.sinkOverrides(stack));
            sinkOverrides.put("file", received.toString());
            Path configs = stack.layout().connectorConfigs();
            out.section("Creating the connectors through the Connect REST API (" + connect.restUrl() + ")");
            Map<String, String> sourceOverrides = new LinkedHashMap<>(overrides);
            sourceOverrides.putAll(kms.sourceOverrides(stack));
            String source = submit(connect, configs.resolve(kms.sourceFile()), sourceOverrides);
            String sink = submit(connect, configs.resolve(kms.sinkFile()), sinkOverrides);
            String topic = kms.topic();
            String deadLetters = connect.config(sink).get("errors.deadletterqueue.topic.name");

            out.section("Streaming " + options.records + " payment events at up to " + options.rate + "/s");
            long streamStart = System.nanoTime();
            progress(connect, topic, received, source, sink, deadLetters);
            double seconds = (System.nanoTime() - streamStart) / 1e9;

            showEnvelopes(topic);
            showDecrypted(received);
            summary(topic, received, seconds, kms, started);
            if (options.keepRunning) {
                out.section("Still running. Connect REST API: " + connect.restUrl() + "  Registry: "
                        + stack.registry().ccompatUrl() + "  Kafka: " + stack.broker().bootstrapServers());
                out.line("Press Ctrl-C to stop everything.");
                done.await();
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (RuntimeException | java.io.IOException e) {
            out.error("The demo failed: " + e.getMessage());
            if (stack != null) {
                out.line("Logs of the stack: " + stack.workDir() + " (kept with -Denvelopecrypt.keep.work=true)");
            }
            return 1;
        } finally {
            shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private synchronized void shutdown() {
        if (stack != null) {
            out.step("Stopping the connectors, workers, registry and broker");
            stack.close();
            stack = null;
            out.step("Everything stopped");
        }
        done.countDown();
    }

    private String submit(ConnectCluster connect, Path file, Map<String, String> overrides) throws java.io.IOException {
        String name = connect.createConnectorFromFile(file, Map.of(), overrides);
        out.step("Created connector '" + name + "' from " + stack.layout().root().relativize(file));
        return name;
    }

    private void progress(ConnectCluster connect, String topic, Path received, String source, String sink,
                          String deadLetters) {
        long[] last = {-1, System.nanoTime(), 0};
        Wait.until(options.records + " decrypted records", Duration.ofMinutes(10), () -> {
            try {
                for (String c : List.of(source, sink)) {
                    String status = String.valueOf(connect.status(c));
                    if (status.contains("\"FAILED\"")) {
                        throw new IllegalStateException("connector " + c + " failed: " + status);
                    }
                }
                long inTopic = safeEndOffsets(topic);
                long decrypted = Recording.count(received);
                long dead = deadLetters == null ? 0 : safeEndOffsets(deadLetters);
                if (dead > 0) {
                    throw new IllegalStateException(dead + " record(s) went to the dead-letter topic " + deadLetters
                            + ": " + firstDeadLetterError(deadLetters));
                }
                if (decrypted != last[0]) {
                    last[0] = decrypted;
                    last[1] = System.nanoTime();
                } else if (System.nanoTime() - last[1] > Duration.ofSeconds(120).toNanos()) {
                    throw new IllegalStateException("no record reached the sink for two minutes");
                }
                if (out.isInteractive() || System.nanoTime() - last[2] > Duration.ofSeconds(5).toNanos()
                        || decrypted >= options.records) {
                    last[2] = System.nanoTime();
                    out.progress("encrypted into Kafka: " + inTopic + "   decrypted by the sink: " + decrypted
                            + " / " + options.records);
                }
                Thread.sleep(500);
                return decrypted >= options.records;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        out.endProgress();
    }

    private String firstDeadLetterError(String topic) {
        for (ConsumerRecord<byte[], byte[]> r : stack.broker().readAll(topic, Duration.ofSeconds(10))) {
            org.apache.kafka.common.header.Header h = r.headers().lastHeader("__connect.errors.exception.message");
            if (h != null) {
                return new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return "(no error header)";
    }

    private long safeEndOffsets(String topic) {
        try {
            return stack.broker().endOffsets(topic);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void showEnvelopes(String topic) {
        out.section("What Kafka holds: the first envelopes of '" + topic + "', decoded with plain Avro and the "
                + "registry's schema");
        EnvelopeReader reader = new EnvelopeReader(stack.registry());
        List<ConsumerRecord<byte[], byte[]>> raw = stack.broker().readAll(topic, Duration.ofSeconds(30));
        int shown = 0;
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            if (r.value() == null) {
                continue;
            }
            EnvelopeReader.Decoded d = reader.decode(r.value());
            out.line(out.bold("offset " + r.offset()) + "  key " + new String(r.key(), StandardCharsets.UTF_8)
                    + "  (wire format: magic byte 0, schema id " + d.schemaId() + ", " + r.value().length + " bytes)");
            out.field("id", d.string("id"));
            out.field("timestamp", Instant.ofEpochMilli((Long) d.record().get("timestamp")).toString());
            out.field("eventType", d.string("eventType"));
            out.field("keyId", d.string("keyId"));
            out.field("encryptionAlgorithm", d.string("encryptionAlgorithm"));
            out.field("iv", HexFormat.of().formatHex(d.bytes("iv")));
            out.field("encryptedPayload", abbreviate(d.bytes("encryptedPayload")));
            out.field("wrappedDataKey", d.string("dataKeyWrapAlgorithm") + ", " + abbreviate(d.bytes("wrappedDataKey")));
            out.field("metadata", String.valueOf(d.record().get("metadata")));
            String schema = d.payloadSchemaJson();
            out.field("payloadFormat", d.string("payloadFormat") + (schema == null ? ""
                    : ", payloadSchema " + new org.apache.avro.Schema.Parser().parse(schema).getFullName()
                    + " (" + schema.length() + " chars of Avro schema in " + d.bytes("payloadSchema").length
                    + " deflated bytes)"));
            if (++shown == 3) {
                break;
            }
        }
    }

    private static String abbreviate(byte[] bytes) {
        String b64 = Base64.getEncoder().encodeToString(bytes);
        return (b64.length() > 44 ? b64.substring(0, 44) + "..." : b64) + " (" + bytes.length + " bytes)";
    }

    private void showDecrypted(Path received) throws java.io.IOException {
        out.section("What the sink received after DecryptPayload: the same records, schema and all");
        List<Recording.Received> records = Recording.read(received);
        records.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        int shown = 0;
        for (Recording.Received r : records) {
            if (r.value() == null) {
                continue;
            }
            out.line(out.bold("offset " + r.offset()) + "  key " + r.key() + "  schema "
                    + (r.schema() == null ? "(schemaless)" : r.schema().name() + " v" + r.schema().version()));
            out.line("    " + pretty(r.value(), "    "));
            if (++shown == 3) {
                break;
            }
        }
    }

    static String pretty(Object v, String indent) {
        if (v instanceof Struct s) {
            StringBuilder sb = new StringBuilder("{\n");
            for (Field f : s.schema().fields()) {
                Object fv = s.getWithoutDefault(f.name());
                if (fv == null) {
                    continue;
                }
                sb.append(indent).append("  ").append(f.name()).append(": ").append(pretty(fv, indent + "  ")).append('\n');
            }
            return sb.append(indent).append('}').toString();
        }
        if (v instanceof java.util.Date d) {
            return Instant.ofEpochMilli(d.getTime()).toString();
        }
        if (v instanceof byte[] b) {
            return "0x" + HexFormat.of().formatHex(b);
        }
        if (v instanceof ByteBuffer bb) {
            byte[] b = new byte[bb.remaining()];
            bb.duplicate().get(b);
            return "0x" + HexFormat.of().formatHex(b);
        }
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        return String.valueOf(v);
    }

    private void summary(String topic, Path received, double seconds, KmsSetup kms, long startedNanos)
            throws java.io.IOException {
        long inTopic = stack.broker().endOffsets(topic);
        List<Recording.Received> records = Recording.read(received);
        out.section("Summary");
        out.field("records", options.records + " produced, " + inTopic + " encrypted in Kafka, " + records.size()
                + " decrypted at the sink");
        out.field("throughput", String.format(Locale.ROOT, "%.0f records/s end to end (%.1f s for the stream; "
                + "the rate limit was %d/s)", records.size() / seconds, seconds, options.rate));
        out.field("key vault calls", kms.callSummary());
        out.field("schema registry", stack.registry().ccompatUrl() + "/subjects/" + topic
                + "-value (the envelope schema, not the payment schema)");
        out.field("topic", topic + " on " + stack.broker().bootstrapServers() + " (ciphertext only)");
        out.field("decrypted copy", received + " (JSON lines written by the sink)");
        out.field("total time", String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9));
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = String.join("\n",
                "Usage: ./demo.sh [--kms local|keyvault-double|emulators|azure] [--records N] [--rate N] [--keep-running] [--no-color]",
                "  --kms local            a development key from the environment (default; development only)",
                "  --kms keyvault-double  the in-process Key Vault and Entra test double, real Azure SDK, managed identity",
                "  --kms emulators        the Key Vault and Entra emulators (installed with scripts/emulators.sh install)",
                "  --kms azure            a real vault: AZURE_KEYVAULT_URL, AZURE_KEYVAULT_KEY_NAME and AZURE_* credentials",
                "  --records N            payment events to stream (default 2000)",
                "  --rate N               at most N events per second (default 500)",
                "  --keep-running         keep the stack up after the demo until Ctrl-C");
        Kms kms = Kms.LOCAL;
        int records = 2000;
        int rate = 500;
        boolean keepRunning;
        boolean color = System.console() != null && System.getenv("NO_COLOR") == null;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--kms" -> o.kms = Kms.of(value(args, ++i, "--kms"));
                    case "--records" -> o.records = positive(value(args, ++i, "--records"), "--records");
                    case "--rate" -> o.rate = positive(value(args, ++i, "--rate"), "--rate");
                    case "--keep-running" -> o.keepRunning = true;
                    case "--no-color" -> o.color = false;
                    case "-h", "--help" -> o.help = true;
                    default -> throw new IllegalArgumentException("Unknown option " + args[i]);
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String name) {
            if (i >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args[i];
        }

        private static int positive(String v, String name) {
            try {
                int n = Integer.parseInt(v);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through
            }
            throw new IllegalArgumentException(name + " must be a positive number");
        }
    }

    /** Where the key-encryption key comes from. */
    enum Kms {
        LOCAL("local", "a local development key (kek.provider=local), generated for this run"),
        KEYVAULT_DOUBLE("keyvault-double", "Azure Key Vault protocol test double (in this process), real Azure SDK, "
                + "managed identity, RSA-OAEP-256"),
        EMULATORS("emulators", "the Azure Key Vault and Entra emulators, real Azure SDK, RSA-OAEP-256"),
        AZURE("azure", "a real Azure Key Vault from AZURE_* environment credentials, RSA-OAEP-256");

        final String option;
        final String description;

        Kms(String option, String description) {
            this.option = option;
            this.description = description;
        }

        static Kms of(String s) {
            for (Kms k : values()) {
                if (k.option.equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--kms must be local, keyvault-double, emulators or azure");
        }
    }

    static String newLocalKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
