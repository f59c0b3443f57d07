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

/**
 * Scenario h: the same encrypt/decrypt pipeline on Kafka Connect 3.9 workers (the oldest line tested), with an Azure
 * Key Vault key and inline payload schemas, and with registry payload schemas and lz4 payloads, whose codec there is
 * the worker's own org.lz4:lz4-java 1.8.0 (Kafka 4.4 ships a fork of it).
 */
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

            Map<String, String> azureWriter = shared.azure("transforms.encrypt.", true);
            Map<String, String> azureReader = shared.azure("transforms.decrypt.", false);
            Map<String, String> registryWriter = Pipelines.registryWriter(shared.stack.registry().ccompatUrl(), "lz4");
            Map<String, String> registryReader = Pipelines.registryReader(shared.stack.registry().ccompatUrl());
            roundTrip(cluster, "payments-kafka39", 1_000, azureWriter, azureReader);
            roundTrip(cluster, "payments-kafka39-registry-lz4", 500, registryWriter, registryReader);
        }
    }

    private void roundTrip(ConnectCluster cluster, String topic, int records, Map<String, String> writer,
                           Map<String, String> reader) throws Exception {
        Path out = shared.stack.workDir().resolve(topic + ".jsonl");
        Map<String, String> source = Pipelines.encryptingSource(topic, records, 39, shared.stack.registry(), writer);
        source.put("transforms.encrypt.type", Pipelines.COMPAT_ENCRYPT);
        Map<String, String> sink = Pipelines.decryptingSink(topic, out, shared.stack.registry(), reader);
        sink.put("transforms.decrypt.type", Pipelines.COMPAT_DECRYPT);
        cluster.createConnector(topic + "-source", source);
        cluster.createConnector(topic + "-sink", sink);
        List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), cluster,
                topic + "-source", topic + "-sink");
        Pipelines.assertSequencesExactlyOnce(received, records);
        for (Recording.Received r : received) {
            long seq = Long.parseLong(r.header("sequence"));
            assertThat(r.schema()).isEqualTo(Payments.PAYMENT);
            assertThat(r.value()).isEqualTo(Payments.payment(39, seq));
        }
        cluster.deleteConnector(topic + "-source");
        cluster.deleteConnector(topic + "-sink");
    }
}
