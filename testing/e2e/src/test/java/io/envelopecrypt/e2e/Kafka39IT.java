package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.testconnectors.Payments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Scenario h: the same encrypt/decrypt pipeline on Kafka Connect 3.9 workers. */
@ExtendWith(SharedStackExtension.class)
class Kafka39IT {
    private final SharedStack shared;

    Kafka39IT(SharedStack shared) {
        this.shared = shared;
    }

    @Test
    void h_encryptAndDecryptOnKafkaConnect39() throws Exception {
        try (ConnectCluster cluster = shared.stack.startConnect(shared.workerEnvironment(
                new ConnectCluster.Options().kafkaLine("3.9").workers(2).groupId("connect-39")))) {
            JsonNode version = io.envelopecrypt.harness.Http.get(cluster.restUrl() + "/").body();
            assertThat(version.path("version").asText()).startsWith("3.9");
            // Workers before 4.1 cannot load the Monitorable classes; the compat ones are listed instead.
            JsonNode plugins = cluster.plugins(false);
            assertThat(plugins.toString()).contains(Pipelines.COMPAT_ENCRYPT, Pipelines.COMPAT_DECRYPT)
                    .doesNotContain("\"" + Pipelines.ENCRYPT + "\"");

            String topic = "payments-kafka39";
            int records = 1_000;
            Path out = shared.stack.workDir().resolve("kafka39.jsonl");
            Map<String, String> source = Pipelines.encryptingSource(topic, records, 39, shared.stack.registry(),
                    shared.azure("transforms.encrypt.", true));
            source.put("transforms.encrypt.type", Pipelines.COMPAT_ENCRYPT);
            Map<String, String> sink = Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                    shared.azure("transforms.decrypt.", false));
            sink.put("transforms.decrypt.type", Pipelines.COMPAT_DECRYPT);
            cluster.createConnector("k39-source", source);
            cluster.createConnector("k39-sink", sink);
            List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), cluster,
                    "k39-source", "k39-sink");
            Pipelines.assertSequencesExactlyOnce(received, records);
            for (Recording.Received r : received) {
                long seq = Long.parseLong(r.header("sequence"));
                assertThat(r.schema()).isEqualTo(Payments.PAYMENT);
                assertThat(r.value()).isEqualTo(Payments.payment(39, seq));
            }
        }
    }
}
