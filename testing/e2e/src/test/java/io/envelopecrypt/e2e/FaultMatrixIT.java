package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.ConnectWorker;
import io.envelopecrypt.harness.Http;
import io.envelopecrypt.harness.PlaintextScanner;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix of docs/reliability.md: for each fault, a pipeline (generator → EncryptPayload with an
 * Azure Key Vault KEK → Kafka → DecryptPayload → sink) runs through it on real workers, and the test records
 * records produced against records in the topic and at the sink after recovery, plaintext found in the
 * topic, and the task states an operator sees. Every cell must lose nothing and leak nothing.
 *
 * <p>The encrypting side rotates data keys every 100 records (a Key Vault lookup each, with the least-privileged
 * encrypting identity: keys/get only) and the decrypting side meets a new data key every 100 records (an
 * unwrap each), so Key Vault is called all through the run rather than once.
 */
@ExtendWith(SharedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultMatrixIT {
    private static final Logger log = LoggerFactory.getLogger(FaultMatrixIT.class);
    private static final int RECORDS = 1_500;
    private static final int RATE = 100;
    /** Refused requests that end a Key Vault outage window: proof the plugin met the fault, over and over. */
    private static final int FAULT_EVENTS = 20;
    private static final Path REPORT = Path.of("target", "fault-matrix.md");

    private final SharedStack shared;
    private final List<String> rows = new ArrayList<>();
    private int cell;

    FaultMatrixIT(SharedStack shared) {
        this.shared = shared;
    }

    /** One pipeline run through one fault. */
    private final class Cell implements AutoCloseable {
        final String name;
        final String topic;
        final long seed;
        final Path out;
        final ConnectCluster connect;
        final Set<String> states = new LinkedHashSet<>();
        final Map<Integer, Long> faultsBefore = new java.util.HashMap<>();
        final long tokensBefore;
        final AtomicBoolean watching = new AtomicBoolean(true);
        final Thread watcher;
        String source;
        String sink;

        Cell(String name, ConnectCluster connect, long retryTimeoutMs) {
            this(name, connect, retryTimeoutMs, (src, snk) -> { });
        }

        /** {@code adjust} changes the source and sink configurations before they are submitted. */
        Cell(String name, ConnectCluster connect, long retryTimeoutMs,
             java.util.function.BiConsumer<Map<String, String>, Map<String, String>> adjust) {
            for (int status : new int[] {429, 500, 503}) {
                faultsBefore.put(status, vault().faultsServed(status));
            }
            tokensBefore = vault().tokensIssued(shared.encryptor) + vault().tokensIssued(shared.decryptor);
            this.name = name;
            this.connect = connect;
            this.seed = 1000 + (++cell);
            this.topic = "faults-" + cell;
            this.out = shared.stack.workDir().resolve("faults-" + cell + ".jsonl");
            Map<String, String> src = Pipelines.encryptingSource(topic, RECORDS, seed, shared.stack.registry(),
                    shared.azure("transforms.encrypt.", true));
            src.put("records.per.second", String.valueOf(RATE));
            src.put("batch.size", "20");
            src.put("transforms.encrypt.dek.max.records", "100");
            src.put("transforms.encrypt.azure.retry.max.retries", "2");
            src.put("transforms.encrypt.azure.retry.base.delay.ms", "200");
            src.put("transforms.encrypt.azure.retry.max.delay.ms", "1000");
            src.put("transforms.encrypt.azure.http.response.timeout.ms", "3000");
            src.put("errors.retry.timeout", String.valueOf(retryTimeoutMs));
            src.put("errors.retry.delay.max.ms", "1000");
            Map<String, String> snk = Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                    shared.azure("transforms.decrypt.", false));
            snk.put("transforms.decrypt.azure.retry.max.retries", "2");
            snk.put("transforms.decrypt.azure.retry.base.delay.ms", "200");
            snk.put("transforms.decrypt.azure.http.response.timeout.ms", "3000");
            snk.put("errors.retry.timeout", String.valueOf(retryTimeoutMs));
            snk.put("errors.retry.delay.max.ms", "1000");
            adjust.accept(src, snk);
            source = "faults-source-" + cell;
            sink = "faults-sink-" + cell;
            connect.createConnector(source, src);
            connect.createConnector(sink, snk);
            watcher = new Thread(this::watch, "task-state-watcher-" + cell);
            watcher.setDaemon(true);
            watcher.start();
        }

        private void watch() {
            while (watching.get()) {
                try {
                    for (String c : List.of(source, sink)) {
                        JsonNode s = connect.status(c);
                        if (s != null) {
                            for (JsonNode t : s.path("tasks")) {
                                states.add((c.equals(source) ? "source " : "sink ") + t.path("state").asText());
                            }
                        }
                    }
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException ignored) {
                    // a worker may be down on purpose
                }
            }
        }

        long inTopic() {
            try {
                return shared.stack.broker().endOffsets(topic);
            } catch (RuntimeException e) {
                return 0;
            }
        }

        void awaitTopic(long n) {
            Wait.until(n + " records in " + topic, Duration.ofSeconds(180), () -> inTopic() >= n);
        }

        /** Restarts failed tasks, as an operator would after fixing the cause. */
        void restartFailedTasks() {
            for (String c : List.of(source, sink)) {
                Http.post(connect.restUrl() + "/connectors/" + c + "/restart?includeTasks=true&onlyFailed=true", "");
            }
        }

        /** Waits for every sequence at the sink, restarting failed tasks; then writes the row. */
        /** The injected fault reached the plugin: the test double answered requests with this status during the cell. */
        void assertServed(int status) {
            assertThat(vault().faultsServed(status) - faultsBefore.get(status))
                    .as("requests answered with HTTP " + status + " during '" + name + "'").isPositive();
        }

        /**
         * Waits until the test double has refused {@code n} requests with {@code status} during this cell: the fault
         * window ends on an event (the plugin met the fault, several times), not after a fixed sleep that a loaded
         * machine could fill with nothing.
         */
        void awaitServed(int status, long n) {
            Wait.until(n + " requests answered with HTTP " + status, Duration.ofSeconds(120),
                    () -> vault().faultsServed(status) - faultsBefore.get(status) >= n);
        }

        /** The plugin fetched new tokens during the cell (after the vault's clock expired the cached ones). */
        void assertNewTokens() {
            assertThat(vault().tokensIssued(shared.encryptor) + vault().tokensIssued(shared.decryptor) - tokensBefore)
                    .as("tokens issued during '" + name + "'").isPositive();
        }

        void finish(String fault, boolean restartFailed) throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            while (distinctAtSink() < RECORDS && System.nanoTime() < deadline) {
                if (restartFailed && String.valueOf(connect.status(source)).contains("FAILED")
                        || restartFailed && String.valueOf(connect.status(sink)).contains("FAILED")) {
                    restartFailedTasks();
                }
                sleep(1000);
            }
            watching.set(false);
            List<ConsumerRecord<byte[], byte[]>> raw = shared.stack.broker().readAll(topic, Duration.ofSeconds(60));
            Set<Long> sequences = new HashSet<>();
            List<byte[]> values = new ArrayList<>();
            int plaintextRecords = 0;
            for (ConsumerRecord<byte[], byte[]> r : raw) {
                long sequence = Long.parseLong(new String(r.headers().lastHeader("sequence").value(), StandardCharsets.UTF_8));
                sequences.add(sequence);
                if (r.value() != null) {
                    values.add(r.value());
                    if (new PlaintextScanner(List.of(r.value())).findAny(Payments.sensitiveStrings(seed, sequence)) != null) {
                        plaintextRecords++;
                    }
                }
            }
            List<String> secrets = new ArrayList<>();
            for (long s = 0; s < RECORDS; s++) {
                secrets.addAll(Payments.sensitiveStrings(seed, s));
            }
            String leaked = new PlaintextScanner(values).findAny(secrets);
            List<Recording.Received> received = Recording.read(out);
            Set<Long> atSink = new HashSet<>();
            int wrong = 0;
            for (Recording.Received r : received) {
                long s = Long.parseLong(r.header("sequence"));
                atSink.add(s);
                if (!Payments.payment(seed, s).equals(r.value())) {
                    wrong++;
                }
            }
            long lostInTopic = RECORDS - sequences.size();
            long lostAtSink = RECORDS - atSink.size();
            String row = String.format("| %s | %s | %d | %d (%d distinct) | %d | %d (%d distinct) | %d | %s |",
                    name, fault, RECORDS, raw.size(), sequences.size(), lostInTopic, received.size(), atSink.size(),
                    plaintextRecords, String.join(", ", states));
            rows.add(row);
            log.info("fault matrix: {}", row);
            assertThat(plaintextRecords).as(name + ": records carrying their own plaintext").isZero();
            assertThat(leaked).as(name + ": any record's plaintext anywhere in the topic").isNull();
            assertThat(lostInTopic).as(name + ": records lost before Kafka").isZero();
            assertThat(lostAtSink).as(name + ": records that never reached the sink").isZero();
            assertThat(wrong).as(name + ": records that decrypted to something else").isZero();
        }

        long distinctAtSink() {
            try {
                return Recording.read(out).stream().map(r -> r.header("sequence")).distinct().count();
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public void close() {
            watching.set(false);
            watcher.interrupt();
            safely(() -> connect.deleteConnector(source));
            safely(() -> connect.deleteConnector(sink));
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("cleanup failed", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Remote wrapping needs keys/wrapkey on top of the shared encrypting identity's keys/get. */
    private void allowRemoteWrapping(boolean allow) {
        vault().setPermissions(Map.of(shared.encryptor, allow ? List.of("keys/get", "keys/wrapkey") : List.of("keys/get"),
                shared.decryptor, List.of("keys/unwrapkey")));
    }

    private KeyVaultTestDouble vault() {
        return shared.stack.keyVault();
    }

    @Test
    void keyVaultUnreachableAtStart() throws IOException {
        vault().setUnavailable(true);
        try (Cell c = new Cell("Key Vault unreachable at start", shared.connect, 120_000)) {
            c.awaitServed(503, FAULT_EVENTS);
            vault().setUnavailable(false);
            c.finish("503 from the start until " + FAULT_EVENTS + " requests were refused; errors.retry.timeout=120 s", false);
            c.assertServed(503);
        } finally {
            vault().setUnavailable(false);
        }
    }

    @Test
    void keyVaultOutageShorterThanTheRetryTimeout() throws IOException {
        try (Cell c = new Cell("Key Vault outage < errors.retry.timeout", shared.connect, 120_000)) {
            c.awaitTopic(300);
            vault().setUnavailable(true);
            c.awaitServed(503, FAULT_EVENTS);
            vault().setUnavailable(false);
            c.finish("503 mid-stream until " + FAULT_EVENTS + " requests were refused; errors.retry.timeout=120 s", false);
            c.assertServed(503);
        } finally {
            vault().setUnavailable(false);
        }
    }

    @Test
    void keyVaultOutageLongerThanTheRetryTimeout() throws IOException {
        try (Cell c = new Cell("Key Vault outage > errors.retry.timeout", shared.connect, 5_000)) {
            c.awaitTopic(300);
            vault().setUnavailable(true);
            Wait.until("a failed task", Duration.ofSeconds(120), () -> c.states.stream().anyMatch(s -> s.endsWith("FAILED")));
            sleep(5_000);
            vault().setUnavailable(false);
            c.finish("503 mid-stream until a task failed, +5 s; errors.retry.timeout=5 s; failed tasks restarted after recovery",
                    true);
            c.assertServed(503);
            // What the reliability doc concludes from this row: with local wrapping only the sink fails.
            assertThat(c.states).contains("sink FAILED").doesNotContain("source FAILED");
        } finally {
            vault().setUnavailable(false);
        }
    }

    /**
     * With remote wrapping every data-key rotation on the source calls wrapKey, so a long outage fails the
     * source task too (with the default local wrapping the source keeps working on the cached public key).
     */
    @Test
    void keyVaultOutageLongerThanTheRetryTimeoutWithRemoteWrapping() throws IOException {
        allowRemoteWrapping(true);
        try (Cell c = new Cell("Key Vault outage > errors.retry.timeout, remote wrapping", shared.connect, 5_000,
                (src, snk) -> src.put("transforms.encrypt.azure.keyvault.wrap.mode", "remote"))) {
            c.awaitTopic(300);
            vault().setUnavailable(true);
            Wait.until("a failed source task", Duration.ofSeconds(120), () -> c.states.contains("source FAILED"));
            sleep(5_000);
            vault().setUnavailable(false);
            c.finish("503 mid-stream until the source task failed, +5 s; wrapKey on every rotation; "
                    + "errors.retry.timeout=5 s; failed tasks restarted after recovery", true);
            c.assertServed(503);
            assertThat(c.states).as("with remote wrapping the source fails too").contains("source FAILED");
        } finally {
            vault().setUnavailable(false);
            allowRemoteWrapping(false);
        }
    }

    /**
     * The recommended sink settings: a dead-letter topic for bad records, and retries that never run out for a
     * Key Vault outage, so that an outage pauses the sink instead of filling the dead-letter topic.
     */
    @Test
    void keyVaultOutageAtASinkWithADeadLetterTopic() throws IOException {
        String dlq = "dlq.faults-sink-outage";
        try (Cell c = new Cell("Key Vault outage at a sink with a dead-letter topic, errors.retry.timeout=-1",
                shared.connect, -1, (src, snk) -> {
                    snk.put("errors.tolerance", "all");
                    snk.put("errors.deadletterqueue.topic.name", dlq);
                    snk.put("errors.deadletterqueue.topic.replication.factor", "1");
                    snk.put("errors.deadletterqueue.context.headers.enable", "true");
                    // A new data key every 20 records, so the sink meets unknown keys all through the outage.
                    src.put("transforms.encrypt.dek.max.records", "20");
                })) {
            c.awaitTopic(300);
            vault().setUnavailable(true);
            c.awaitServed(503, FAULT_EVENTS);
            sleep(10_000); // and then some: the sink keeps meeting unknown data keys while its retries run
            vault().setUnavailable(false);
            c.finish("503 mid-stream until " + FAULT_EVENTS + " requests were refused, +10 s; sink errors.tolerance=all "
                    + "with a dead-letter topic, errors.retry.timeout=-1", false);
            c.assertServed(503);
            // The dead-letter topic is created with the first dead letter: absent means none.
            long deadLettered = shared.stack.broker().topicExists(dlq) ? shared.stack.broker().endOffsets(dlq) : 0;
            assertThat(deadLettered).as("records sent to the dead-letter topic by an outage").isZero();
        } finally {
            vault().setUnavailable(false);
        }
    }

    /** Kafka Connect 3.9 drops a record whose transform retries run out (KAFKA-18073): -1 never runs out. */
    @Test
    void keyVaultOutageOnKafka39WithUnlimitedRetries() throws IOException {
        allowRemoteWrapping(true);
        try (ConnectCluster cluster = shared.stack.startConnect(shared.workerEnvironment(
                new ConnectCluster.Options().kafkaLine("3.9").workers(1).groupId("faults-39")));
             Cell c = new Cell("Kafka Connect 3.9, Key Vault outage, errors.retry.timeout=-1", cluster, -1,
                     (src, snk) -> {
                         src.put("transforms.encrypt.type", Pipelines.COMPAT_ENCRYPT);
                         src.put("transforms.encrypt.azure.keyvault.wrap.mode", "remote");
                         snk.put("transforms.decrypt.type", Pipelines.COMPAT_DECRYPT);
                     })) {
            c.awaitTopic(300);
            vault().setUnavailable(true);
            c.awaitServed(503, FAULT_EVENTS);
            vault().setUnavailable(false);
            c.finish("503 mid-stream until " + FAULT_EVENTS + " requests were refused, on 3.9 workers (compat classes, "
                    + "remote wrapping); errors.retry.timeout=-1", false);
            c.assertServed(503);
        } finally {
            vault().setUnavailable(false);
            allowRemoteWrapping(false);
        }
    }

    @Test
    void throttlingStorm() throws IOException {
        try (Cell c = new Cell("Throttling storm (429)", shared.connect, 120_000)) {
            c.awaitTopic(300);
            vault().throttleNextRequests(40);
            c.finish("the next 40 requests get 429 with Retry-After: 1", false);
            c.assertServed(429);
        }
    }

    @Test
    void serverErrors() throws IOException {
        try (Cell c = new Cell("Key Vault 500s", shared.connect, 120_000)) {
            c.awaitTopic(300);
            vault().rejectNextRequests(40);
            c.finish("the next 40 requests get 500", false);
            c.assertServed(500);
        }
    }

    @Test
    void tokenExpiry() throws IOException {
        try (Cell c = new Cell("Token expiry (emulator clock)", shared.connect, 120_000)) {
            c.awaitTopic(300);
            vault().advanceClock(2 * 3600);
            c.finish("Key Vault's clock moved 2 h ahead: every cached token is expired there", false);
            c.assertNewTokens();
        } finally {
            vault().advanceClock(-2 * 3600);
        }
    }

    @Test
    void schemaRegistryPausedMidStream() throws Exception {
        try (Cell c = new Cell("Schema Registry down mid-stream", shared.connect, 120_000)) {
            c.awaitTopic(300);
            long pid = shared.stack.registry().process().pid();
            signal("STOP", pid);
            sleep(45_000);
            signal("CONT", pid);
            c.finish("registry process paused (SIGSTOP) for 45 s; failed tasks restarted after recovery", true);
        }
    }

    @Test
    void brokerRestart() throws IOException {
        try (Cell c = new Cell("Broker restart", shared.connect, 120_000)) {
            c.awaitTopic(300);
            shared.stack.broker().stopBroker();
            sleep(10_000);
            shared.stack.broker().restartBroker();
            c.finish("the only broker stopped for 10 s, then restarted", true);
        }
    }

    @Test
    void workerKilledAndRestarted() throws IOException {
        try (ConnectCluster cluster = shared.stack.startConnect(
                shared.workerEnvironment(new ConnectCluster.Options().workers(2).groupId("faults-kill")));
             Cell c = new Cell("Worker killed and restarted", cluster, 120_000)) {
            c.awaitTopic(300);
            String sourceWorker = cluster.status(c.source).path("tasks").get(0).path("worker_id").asText();
            ConnectWorker victim = cluster.workers().stream()
                    .filter(w -> w.restUrl().endsWith(sourceWorker.split(":")[1])).findFirst().orElseThrow();
            victim.kill();
            sleep(15_000);
            victim.start();
            victim.awaitReady(Duration.ofSeconds(180));
            c.finish("SIGKILL of the worker running the source task, restarted 15 s later", false);
        }
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    @AfterAll
    void writeReport() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("| Cell | Fault | Produced | In the topic | Lost | At the sink | Plaintext records in the topic | Task states seen |");
        lines.add("|---|---|---|---|---|---|---|---|");
        lines.addAll(rows);
        Files.createDirectories(REPORT.getParent());
        Files.write(REPORT, lines, StandardCharsets.UTF_8);
        log.info("fault matrix written to {}", REPORT.toAbsolutePath());
    }
}
