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
    /** Set by Ctrl-C (SIGINT) or SIGTERM: from then on the main thread's errors are the shutdown's, not failures. */
    private volatile boolean stopping;
    private boolean stopped;

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
        handleStopSignals();
        long started = System.nanoTime();
        try {
            out.title("Envelope Encryption for Kafka Connect: demo");
            out.line("Key-encryption key: " + options.kms.description);
            if (options.kms == Kms.LOCAL) {
                out.warn("LOCAL KEY MODE IS FOR DEVELOPMENT ONLY. The key lives in the worker's environment; "
                        + "never use it in production.");
            }
            adopt(Stack.create(m -> out.step(m))).startBroker().startRegistry();
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
                stillRunning(connect, sink, topic, kms);
                done.await();
                return stopping ? 130 : 0;
            } else {
                out.line("The stack, its topics and " + received.getFileName() + " are removed now; "
                        + "./demo.sh --keep-running keeps them, and prints commands to try.");
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (RuntimeException | java.io.IOException e) {
            if (stopping) {
                return 130; // what failed was the stack being stopped under the demo's feet
            }
            out.error("The demo failed: " + e.getMessage());
            if (stack != null) {
                stack.keepWorkDir();
                out.line("The logs of the broker, registry and worker are kept in " + stack.workDir()
                        + " (delete the folder when done)");
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

    /**
     * What a newcomer can do next on the running stack: the addresses, the KEK settings a reader needs (in a file in
     * the stack folder, because the CLI needs them too), and commands to paste.
     */
    private void stillRunning(ConnectCluster connect, String sink, String topic, KmsSetup kms) throws java.io.IOException {
        Path kekFile = stack.workDir().resolve("demo-decrypt.properties");
        java.nio.file.Files.writeString(kekFile, CliSettings.fromSink(connect.config(sink), kms.workerEnvironment()));
        String cli = "java -jar " + stack.layout().cliJar();
        String common = " -b " + stack.broker().bootstrapServers() + " -t " + topic + " -r " + stack.registry().ccompatUrl();
        out.section("Still running");
        out.field("Connect REST API", connect.restUrl() + "  (curl " + connect.restUrl() + "/connectors)");
        out.field("Schema registry", stack.registry().ccompatUrl());
        out.field("Kafka", stack.broker().bootstrapServers());
        out.field("stack folder", stack.workDir() + " (logs; removed on Ctrl-C)");
        out.field("reader settings", kekFile + " (" + kms.readerSettingsDescription() + "; development values, "
                + "shown in the clear on purpose)");
        for (Map.Entry<String, String> hint : kms.otherConfigHints(stack).entrySet()) {
            out.field(hint.getKey(), hint.getValue());
        }
        out.line("");
        out.line("Try the CLI (it prints JSON lines; progress and failed records go to stderr):");
        out.line("  " + cli + " inspect" + common + " -n 3");
        out.line("  " + cli + " decrypt" + common + " -n 3 --kek-config " + kekFile);
        out.line("Other files of connector-configs/ run on this stack as connector-configs/README.md says.");
        out.line("Press Ctrl-C to stop everything.");
    }

    /**
     * Ctrl-C and SIGTERM stop the stack in order, then exit. Left to the JVM's shutdown hooks, they would run all at
     * once: Kafka's test kit deletes the broker's log directory while the broker still runs (which ends in a FATAL
     * and a halted JVM, leaving folders behind), and every client logs the broker's disappearance.
     */
    private void handleStopSignals() {
        sun.misc.SignalHandler stop = signal -> {
            if (stopping) {
                return;
            }
            stopping = true;
            Thread stopper = new Thread(() -> {
                out.line("");
                // What the clients in this JVM say while everything stops is noise, not news.
                System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                shutdown();
                System.exit(130);
            }, "demo-stop");
            stopper.start();
        };
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), stop);
            } catch (IllegalArgumentException unsupported) {
                // not on this platform: the shutdown hook still stops the stack
            }
        }
    }

    private synchronized void shutdown() {
        boolean started = stack != null;
        if (started) {
            out.step("Stopping the connectors, workers, registry and broker");
            stack.close();
            stack = null;
        }
        if ((started || stopping) && !stopped) {
            stopped = true;
            out.step("Everything stopped");
        }
        done.countDown();
    }

    /** Holds a stack made while Ctrl-C may arrive: after it, the stack is closed at once instead of being used. */
    private synchronized Stack adopt(Stack created) {
        if (stopping) {
            created.close();
            throw new IllegalStateException("stopped");
        }
        stack = created;
        return created;
    }

    private String submit(ConnectCluster connect, Path file, Map<String, String> overrides) throws java.io.IOException {
        String name = connect.createConnectorFromFile(file, Map.of(), overrides);
        out.step("Created connector '" + name + "' from " + stack.layout().root().relativize(file)
                + (overrides.isEmpty() ? " as shipped" : ", with these settings changed for this stack:"));
        overrides.forEach((k, v) -> out.line("      " + k + " = " + (v == null ? "(removed)" : v)));
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
                long decrypted = Recording.count(received);
                long inTopic = safeEndOffsets(topic); // read second: the topic is never shown behind the sink
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
        out.field("stream", String.format(Locale.ROOT, "%.1f s at a limit of %d/s%s", seconds, options.rate,
                seconds < 30 ? " (a short run measures start-up, not throughput: see docs/performance.md)"
                        : String.format(Locale.ROOT, ", %.0f records/s end to end", records.size() / seconds)));
        out.field("key vault calls", kms.callSummary());
        out.field("schema registry", stack.registry().ccompatUrl() + "/subjects/" + topic
                + "-value (the envelope schema, not the payment schema)");
        out.field("topic", topic + " on " + stack.broker().bootstrapServers() + " (ciphertext only)");
        out.field("decrypted copy", received + " (JSON lines written by the sink)");
        out.field("total time", String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9));
    }

    /** Command-line options. */
    static final class Options {
        /** Also printed by demo.sh before anything is built. */
        static final String USAGE = usage();

        private static String usage() {
            try (java.io.InputStream in = Demo.class.getResourceAsStream("usage.txt")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
            } catch (java.io.IOException | NullPointerException e) {
                return "Usage: ./demo.sh --help (testing/demo/src/main/resources/io/envelopecrypt/demo/usage.txt)";
            }
        }
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
                + "a managed identity encrypts and a service principal decrypts, RSA-OAEP-256"),
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
