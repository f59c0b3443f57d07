package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.EnvelopeReader;
import io.envelopecrypt.harness.PlaintextScanner;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 on the real stack: payload schemas registered in Apicurio Registry through its Confluent-compatible API
 * ({@code payload.schema.location=registry}), payloads compressed before encryption, the registry unreachable while
 * the connectors start, and a registry that serves an altered schema.
 */
@ExtendWith(SharedStackExtension.class)
class PayloadRegistryIT {
    private static final long SEED = 14;
    private final SharedStack shared;
    private final ConnectCluster connect;

    PayloadRegistryIT(SharedStack shared) {
        this.shared = shared;
        this.connect = shared.connect;
    }

    private static Map<String, String> writer(String registryUrl, String compression) {
        return Pipelines.registryWriter(registryUrl, compression);
    }

    private static Map<String, String> reader(String registryUrl) {
        return Pipelines.registryReader(registryUrl);
    }

    private void assertPaymentsEqualTheSource(List<Recording.Received> received, int records) {
        Pipelines.assertSequencesExactlyOnce(received, records);
        for (Recording.Received r : received) {
            long seq = Long.parseLong(r.header("sequence"));
            assertThat(r.schema()).as("schema of record %d", seq).isEqualTo(Payments.PAYMENT);
            assertThat(r.value()).as("record %d", seq).isEqualTo(Payments.payment(SEED, seq));
        }
    }

    @Test
    void registryPayloadSchemasRoundTripExactlyAndTheSubjectIsInTheRegistry() throws Exception {
        String topic = "payments-registry";
        int records = 1_000;
        String registry = shared.stack.registry().ccompatUrl();
        Path out = shared.stack.workDir().resolve(topic + ".jsonl");
        connect.createConnector("registry-source", Pipelines.encryptingSource(topic, records, SEED, shared.stack.registry(),
                writer(registry, "zstd")));
        connect.createConnector("registry-sink", Pipelines.decryptingSink(topic, out, shared.stack.registry(), reader(registry)));
        List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect,
                "registry-source", "registry-sink");
        assertPaymentsEqualTheSource(received, records);

        assertThat(shared.stack.registry().subjects()).contains(topic + "-payload", topic + "-value");
        EnvelopeReader envelopes = new EnvelopeReader(shared.stack.registry());
        List<byte[]> raw = new ArrayList<>();
        java.util.Set<Integer> payloadSchemaIds = new java.util.HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : shared.stack.broker().readAll(topic, Duration.ofSeconds(60))) {
            raw.add(r.value());
            EnvelopeReader.Decoded d = envelopes.decode(r.value());
            assertThat(d.string("payloadFormat")).isEqualTo("avro-registry+zstd");
            assertThat(d.bytes("payloadSchema")).hasSize(36);
            payloadSchemaIds.add(ByteBuffer.wrap(d.bytes("payloadSchema")).getInt());
        }
        assertThat(payloadSchemaIds).hasSize(1);
        // The id names the payment schema, registered by the plugin, as the registry serves it.
        assertThat(shared.stack.registry().schemaById(payloadSchemaIds.iterator().next()))
                .contains("\"com.example.payments.Payment\"").contains("connect.version");
        List<String> secrets = new ArrayList<>();
        for (long seq = 0; seq < records; seq += 50) {
            secrets.addAll(Payments.sensitiveStrings(SEED, seq));
        }
        assertThat(new PlaintextScanner(raw).findAny(secrets)).as("plaintext on the topic").isNull();
        connect.deleteConnector("registry-source");
        connect.deleteConnector("registry-sink");
    }

    @Test
    void connectorsStartedWhileTheRegistryIsDownRetryAndLoseNothingOnceItIsBack() throws Exception {
        String topic = "payments-registry-outage";
        int records = 400;
        Path out = shared.stack.workDir().resolve(topic + ".jsonl");
        try (RegistryProxy proxy = new RegistryProxy(shared.stack.registry().ccompatUrl())) {
            proxy.down();
            connect.createConnector("outage-source", Pipelines.encryptingSource(topic, records, SEED, shared.stack.registry(),
                    writer(proxy.url(), "lz4")));
            connect.createConnector("outage-sink", Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                    reader(proxy.url())));
            connect.awaitRunning("outage-source", 1, SharedStack.timeout());
            connect.awaitRunning("outage-sink", 1, SharedStack.timeout());
            // Long enough for several retries (errors.retry.timeout=120 s): the tasks keep running, nothing is written.
            Thread.sleep(8_000);
            for (String name : List.of("outage-source", "outage-sink")) {
                assertThat(connect.status(name).toString()).as(name).doesNotContain("FAILED");
            }
            assertThat(Files.exists(out) ? Recording.count(out) : 0).isZero();
            assertThat(shared.stack.broker().readAll(topic, Duration.ofSeconds(2))).isEmpty();
            proxy.up();
            List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect,
                    "outage-source", "outage-sink");
            assertPaymentsEqualTheSource(received, records);
            assertThat(shared.stack.registry().subjects()).contains(topic + "-payload");
        } finally {
            connect.deleteConnector("outage-source");
            connect.deleteConnector("outage-sink");
        }
    }

    @Test
    void aRegistryThatServesAnAlteredSchemaFailsTheSinkInsteadOfDecodingWrongly() throws Exception {
        String topic = "payments-registry-tampered";
        int records = 50;
        String registry = shared.stack.registry().ccompatUrl();
        connect.createConnector("tampered-source", Pipelines.encryptingSource(topic, records, SEED, shared.stack.registry(),
                writer(registry, "none")));
        Wait.until(records + " records on " + topic, SharedStack.timeout(),
                () -> shared.stack.broker().readAll(topic, Duration.ofSeconds(2)).size() >= records);
        Path out = shared.stack.workDir().resolve(topic + ".jsonl");
        try (RegistryProxy proxy = new RegistryProxy(registry)) {
            // The card's number and holder swapped: same shape, so a reader that trusted it would decode wrongly.
            proxy.tamperSchemas(schema -> schema.replace("\"number\"", "\"@tmp\"").replace("\"holder\"", "\"number\"")
                    .replace("\"@tmp\"", "\"holder\""));
            Map<String, String> sink = new HashMap<>(Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                    reader(proxy.url())));
            connect.createConnector("tampered-sink", sink);
            Wait.until("the sink task fails", SharedStack.timeout(), () -> connect.status("tampered-sink").toString().contains("FAILED"));
            String trace = connect.status("tampered-sink").path("tasks").get(0).path("trace").asText();
            assertThat(trace).contains("failed authentication").contains("serves a different schema under id");
            assertThat(Files.exists(out) ? Recording.count(out) : 0).as("records decoded with the altered schema").isZero();
        } finally {
            connect.deleteConnector("tampered-source");
            connect.deleteConnector("tampered-sink");
        }
        assertThat(shared.stack.broker().readAll(topic, Duration.ofSeconds(5))).hasSize(records);
        Struct first = Payments.payment(SEED, 0);
        assertThat(first.getStruct("card").getString("number")).isNotEqualTo(first.getStruct("card").getString("holder"));
    }
}
