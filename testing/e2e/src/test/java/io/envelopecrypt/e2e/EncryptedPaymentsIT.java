package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.EnvelopeReader;
import io.envelopecrypt.harness.PlaintextScanner;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenarios a, b and d: payment events through EncryptPayload (Azure Key Vault KEK), Apicurio's
 * AvroConverter and Kafka, then DecryptPayload into a sink, on a distributed Kafka Connect 4.4 cluster.
 */
@ExtendWith(SharedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptedPaymentsIT {
    static final String TOPIC = "payments-encrypted";
    static final long SEED = 42;
    static final int RECORDS = 3_000;
    static final int TOMBSTONE_EVERY = 97;

    private final SharedStack shared;
    private final ConnectCluster connect;
    private Path received;
    private List<ConsumerRecord<byte[], byte[]>> raw;
    private List<Recording.Received> sinkRecords;

    EncryptedPaymentsIT(SharedStack shared) {
        this.shared = shared;
        this.connect = shared.connect;
    }

    @BeforeAll
    void runPipeline() throws Exception {
        received = shared.stack.workDir().resolve("received-payments.jsonl");
        Map<String, String> source = Pipelines.encryptingSource(TOPIC, RECORDS, SEED, shared.stack.registry(),
                shared.azure("transforms.encrypt.", true));
        source.put("tombstone.every", String.valueOf(TOMBSTONE_EVERY));
        connect.createConnector("payments-source", source);
        connect.createConnector("payments-sink", Pipelines.decryptingSink(TOPIC, received, shared.stack.registry(),
                shared.azure("transforms.decrypt.", false)));
        sinkRecords = Pipelines.awaitRecords(received, RECORDS, SharedStack.timeout(), connect,
                "payments-source", "payments-sink");
        raw = shared.stack.broker().readAll(TOPIC, Duration.ofSeconds(60));
    }

    @AfterAll
    void removeConnectors() {
        connect.deleteConnector("payments-source");
        connect.deleteConnector("payments-sink");
    }

    @Test
    void a_theRegistryHoldsTheEnvelopeSchemaUnderTheTopicsValueSubject() {
        assertThat(shared.stack.registry().subjects()).contains(TOPIC + "-value");
        Schema schema = new Schema.Parser().parse(shared.stack.registry().latestVersion(TOPIC + "-value").get("schema").asText());
        assertThat(schema.getFullName()).isEqualTo("io.envelopecrypt.EncryptedMessage");
        assertThat(schema.getFields()).extracting(Schema.Field::name).containsExactly("envelopeVersion", "id",
                "timestamp", "eventType", "encryptedPayload", "keyId", "encryptionAlgorithm", "iv", "metadata",
                "wrappedDataKey", "dataKeyWrapAlgorithm", "payloadFormat", "payloadSchema", "context", "dataKeyCommitment",
                "signingKeyId", "dataKeySignature", "additionalWrappedKeys");
    }

    @Test
    void a_everyRecordIsInTheConfluentWireFormatAndDecodesAsAnEnvelope() {
        assertThat(raw).hasSize(RECORDS);
        EnvelopeReader reader = new EnvelopeReader(shared.stack.registry());
        int envelopes = 0;
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            long sequence = Long.parseLong(new String(r.headers().lastHeader("sequence").value(), StandardCharsets.UTF_8));
            if (Payments.isTombstone(sequence, TOMBSTONE_EVERY)) {
                assertThat(r.value()).as("tombstone %d stays a tombstone", sequence).isNull();
                continue;
            }
            assertThat(EnvelopeReader.hasConfluentMagicByte(r.value())).isTrue();
            EnvelopeReader.Decoded d = reader.decode(r.value());
            assertThat(shared.stack.registry().schemaById(d.schemaId())).contains("EncryptedMessage");
            assertThat(d.record().get("envelopeVersion")).isEqualTo(2);
            assertThat(d.string("encryptionAlgorithm")).isEqualTo("AES-256-GCM");
            assertThat(d.string("dataKeyWrapAlgorithm")).isEqualTo("RSA-OAEP-256");
            assertThat(d.string("keyId")).isEqualTo(shared.stack.keyVault().vaultUrl() + "/keys/" + SharedStack.KEK
                    + "/" + shared.stack.keyVault().latestVersion(SharedStack.KEK));
            assertThat(d.string("eventType")).isEqualTo("payment.created");
            assertThat(d.string("payloadFormat")).isEqualTo("avro");
            assertThat(d.bytes("iv")).hasSize(12);
            assertThat(d.bytes("wrappedDataKey")).hasSize(384);
            @SuppressWarnings("unchecked")
            Map<Object, Object> metadata = (Map<Object, Object>) d.record().get("metadata");
            Map<String, String> meta = new TreeMap<>();
            metadata.forEach((k, v) -> meta.put(k.toString(), v.toString()));
            assertThat(meta).containsEntry("source", "e2e").containsEntry("tenant", "tenant-" + (sequence % 3));
            envelopes++;
        }
        assertThat(envelopes).isEqualTo(RECORDS - (RECORDS - 1) / TOMBSTONE_EVERY);
    }

    @Test
    void a_noPlaintextValueOfAnySourceRecordAppearsInTheTopicsRawBytes() {
        List<byte[]> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            if (r.value() != null) {
                values.add(r.value());
            }
        }
        PlaintextScanner topic = new PlaintextScanner(values);
        List<String> secrets = new ArrayList<>();
        for (long seq = 0; seq < RECORDS; seq++) {
            if (!Payments.isTombstone(seq, TOMBSTONE_EVERY)) {
                secrets.addAll(Payments.sensitiveStrings(SEED, seq));
            }
        }
        assertThat(secrets).hasSizeGreaterThan(RECORDS * 4);
        assertThat(topic.findAny(secrets)).as("a plaintext value found in the topic").isNull();
        // Fragments every record shares (the ids are hex, so digit runs alone prove nothing).
        assertThat(topic.findAny(List.of("@example.org", "Lovelace", "Market Street", "Billing Lane"))).isNull();
        // The scanner does find what is there: the cleartext envelope fields.
        assertThat(topic.contains("payment.created")).isTrue();
    }

    @Test
    void b_theSinkReceivesExactlyTheSourceRecordsSchemaAndValue() {
        assertThat(sinkRecords).hasSize(RECORDS);
        Map<Long, Recording.Received> bySequence = new HashMap<>();
        for (Recording.Received r : sinkRecords) {
            bySequence.put(Long.parseLong(r.header("sequence")), r);
        }
        assertThat(bySequence).hasSize(RECORDS);
        for (long seq = 0; seq < RECORDS; seq++) {
            Recording.Received r = bySequence.get(seq);
            if (Payments.isTombstone(seq, TOMBSTONE_EVERY)) {
                continue;
            }
            Struct expected = Payments.payment(SEED, seq);
            assertThat(r.schema()).as("schema of record %d", seq).isEqualTo(Payments.PAYMENT);
            assertThat(r.value()).as("record %d", seq).isEqualTo(expected);
        }
    }

    @Test
    void d_tombstonesAndHeadersSurviveTheTrip() {
        int tombstones = 0;
        for (Recording.Received r : sinkRecords) {
            long seq = Long.parseLong(r.header("sequence"));
            assertThat(r.header("trace-id")).isEqualTo("trace-" + SEED + "-" + seq);
            assertThat(r.header("tenant")).isEqualTo("tenant-" + (seq % 3));
            assertThat(r.key()).isEqualTo(Payments.key(SEED, seq));
            if (Payments.isTombstone(seq, TOMBSTONE_EVERY)) {
                assertThat(r.tombstone()).isTrue();
                tombstones++;
            } else {
                assertThat(r.tombstone()).isFalse();
            }
        }
        assertThat(tombstones).isEqualTo((RECORDS - 1) / TOMBSTONE_EVERY);
    }
}
