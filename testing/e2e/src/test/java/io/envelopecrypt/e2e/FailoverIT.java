package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.ConnectWorker;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario f: a task restart and a worker killed mid-stream (SIGKILL, then a rebalance) lose nothing:
 * every source record arrives at the sink and decrypts; duplicates (at-least-once) are counted.
 * Runs on a cluster of its own so that the kill does not disturb the other scenarios.
 */
@ExtendWith(SharedStackExtension.class)
class FailoverIT {
    private static final Logger log = LoggerFactory.getLogger(FailoverIT.class);
    private static final int RECORDS = 6_000;
    private static final long SEED = 99;

    private final SharedStack shared;

    FailoverIT(SharedStack shared) {
        this.shared = shared;
    }

    @Test
    void f_taskRestartAndWorkerCrashLoseNoRecord() throws Exception {
        try (ConnectCluster cluster = shared.stack.startConnect(
                shared.workerEnvironment(new ConnectCluster.Options().workers(2).groupId("failover")))) {
            String topic = "payments-failover";
            Path out = shared.stack.workDir().resolve("failover.jsonl");
            Map<String, String> source = Pipelines.encryptingSource(topic, RECORDS, SEED, shared.stack.registry(),
                    shared.azure("transforms.encrypt.", true));
            source.put("records.per.second", "200");
            source.put("batch.size", "50");
            cluster.createConnector("failover-source", source);
            cluster.createConnector("failover-sink", Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                    shared.azure("transforms.decrypt.", false)));

            awaitTopic(topic, 600);
            cluster.restartTask("failover-source", 0);
            log.info("restarted the source task");

            awaitTopic(topic, 2_000);
            String sourceWorker = taskWorker(cluster, "failover-source");
            ConnectWorker victim = cluster.workers().stream().filter(w -> w.restUrl().endsWith(sourceWorker.split(":")[1]))
                    .findFirst().orElseThrow();
            victim.kill();
            log.info("killed worker {} (it ran the source task) with {} records in the topic", victim.name(),
                    shared.stack.broker().endOffsets(topic));

            Wait.until("all " + RECORDS + " sequences at the sink", Duration.ofSeconds(240), () -> distinct(out) >= RECORDS,
                    () -> distinct(out) + " distinct so far");
            List<Recording.Received> received = Recording.read(out);
            Map<Long, Integer> counts = new HashMap<>();
            for (Recording.Received r : received) {
                long seq = Long.parseLong(r.header("sequence"));
                counts.merge(seq, 1, Integer::sum);
                assertThat(r.value()).as("record %d decrypts to the source record", seq).isEqualTo(Payments.payment(SEED, seq));
            }
            for (long seq = 0; seq < RECORDS; seq++) {
                assertThat(counts).as("sequence %d arrived", seq).containsKey(seq);
            }
            long duplicates = received.size() - counts.size();
            log.info("failover: {} source records, {} written to the topic, {} received by the sink, {} distinct, "
                    + "{} duplicates (at-least-once)", RECORDS, shared.stack.broker().endOffsets(topic), received.size(),
                    counts.size(), duplicates);
            // At-least-once: duplicates are allowed after a worker dies (logged above), records never sent are not.
            assertThat(counts.keySet()).as("sequences never sent").allMatch(seq -> seq >= 0 && seq < RECORDS);
        }
    }

    private void awaitTopic(String topic, long records) {
        Wait.until(records + " records in " + topic, SharedStack.timeout(),
                () -> shared.stack.broker().endOffsets(topic) >= records);
    }

    private static String taskWorker(ConnectCluster cluster, String connector) {
        JsonNode status = cluster.status(connector);
        return status.path("tasks").get(0).path("worker_id").asText();
    }

    private static long distinct(Path file) {
        try {
            return Recording.read(file).stream().map(r -> r.header("sequence")).distinct().count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
