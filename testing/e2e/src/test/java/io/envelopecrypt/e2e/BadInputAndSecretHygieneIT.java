package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.ConnectWorker;
import io.envelopecrypt.harness.EnvelopeReader;
import io.envelopecrypt.harness.Http;
import io.envelopecrypt.harness.PlaintextScanner;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input at the sink and secret hygiene, on a worker logging at DEBUG with
 * {@code errors.log.include.messages=true} on the decrypting side: malformed, tampered and foreign records go
 * to the dead-letter topic with useful headers while every good record arrives; and no plaintext value, data
 * key or secret appears in the worker's log, the dead-letter headers or the REST API's answers.
 */
@ExtendWith(SharedStackExtension.class)
class BadInputAndSecretHygieneIT {
    private static final int GOOD = 300;
    private static final long SEED = 77;
    private static final String TOPIC = "hygiene-payments";
    private static final String DLQ = "dlq.hygiene-payments";

    private final SharedStack shared;

    BadInputAndSecretHygieneIT(SharedStack shared) {
        this.shared = shared;
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndNoSecretLeaks() throws Exception {
        try (ConnectCluster cluster = shared.stack.startConnect(shared.workerEnvironment(
                new ConnectCluster.Options().workers(1).groupId("hygiene").debugLogging()))) {
            cluster.createConnector("hygiene-source", Pipelines.encryptingSource(TOPIC, GOOD, SEED,
                    shared.stack.registry(), shared.azure("transforms.encrypt.", true)));
            Wait.until(GOOD + " records in " + TOPIC, SharedStack.timeout(),
                    () -> shared.stack.broker().endOffsets(TOPIC) >= GOOD);
            List<ConsumerRecord<byte[], byte[]>> good = shared.stack.broker().readAll(TOPIC, Duration.ofSeconds(60));
            Map<String, byte[]> bad = badRecords(good.get(0).value());
            produce(bad);

            Path out = shared.stack.workDir().resolve("hygiene.jsonl");
            Map<String, String> sink = Pipelines.decryptingSink(TOPIC, out, shared.stack.registry(),
                    shared.azure("transforms.decrypt.", false));
            sink.put("errors.tolerance", "all");
            sink.put("errors.deadletterqueue.topic.name", DLQ);
            sink.put("errors.deadletterqueue.topic.replication.factor", "1");
            sink.put("errors.deadletterqueue.context.headers.enable", "true");
            sink.put("errors.log.enable", "true");
            sink.put("errors.log.include.messages", "true");
            cluster.createConnector("hygiene-sink", sink);
            List<Recording.Received> received = Pipelines.awaitRecords(out, GOOD, SharedStack.timeout(), cluster, "hygiene-sink");
            Wait.until(bad.size() + " records in " + DLQ, SharedStack.timeout(),
                    () -> safeEndOffsets(DLQ) >= bad.size());

            // Every good record arrived, exactly once, decrypted exactly.
            Pipelines.assertSequencesExactlyOnce(received, GOOD);
            for (Recording.Received r : received) {
                assertThat(r.value()).isEqualTo(Payments.payment(SEED, Long.parseLong(r.header("sequence"))));
            }

            // Every bad one is in the dead-letter topic, with the reason in its headers.
            List<ConsumerRecord<byte[], byte[]>> dead = shared.stack.broker().readAll(DLQ, Duration.ofSeconds(60));
            assertThat(dead).hasSize(bad.size());
            Map<String, String> reasons = new HashMap<>();
            Map<String, String> stages = new HashMap<>();
            List<String> headerTexts = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                String kind = header(r, "bad-record");
                String exception = header(r, "__connect.errors.exception.class.name");
                String message = header(r, "__connect.errors.exception.message");
                assertThat(exception).as("exception class header of " + kind).isNotBlank();
                assertThat(message).as("exception message header of " + kind).isNotBlank();
                reasons.put(kind, exception + ": " + message);
                stages.put(kind, header(r, "__connect.errors.stage"));
                r.headers().forEach(h -> headerTexts.add(new String(h.value(), StandardCharsets.UTF_8)));
            }
            assertThat(reasons.keySet()).isEqualTo(bad.keySet());
            assertThat(reasons.get("tampered-ciphertext")).contains("failed authentication");
            assertThat(reasons.get("unknown-key-version")).contains("HTTP 404");
            assertThat(reasons.get("not-an-envelope")).contains("not an envelope");
            // Bytes that are not the wire format fail in the converter, before our transform sees them.
            assertThat(stages).containsEntry("not-avro", "VALUE_CONVERTER")
                    .containsEntry("tampered-ciphertext", "TRANSFORMATION")
                    .containsEntry("unknown-key-version", "TRANSFORMATION")
                    .containsEntry("not-an-envelope", "TRANSFORMATION");

            // Nothing secret anywhere an operator or an attacker with log or topic access could look.
            List<String> secrets = secrets(good);
            assertThat(new PlaintextScanner(List.of(String.join("\n", headerTexts).getBytes(StandardCharsets.UTF_8)))
                    .findAny(secrets)).as("a secret in a dead-letter header").isNull();
            assertThat(dataKeys).as("data keys learned from the topic").isNotEmpty();
            for (ConnectWorker w : cluster.workers()) {
                byte[] log = Files.readAllBytes(w.logFile());
                assertThat(log.length).as("the worker logged at DEBUG").isGreaterThan(100_000);
                // Positive control: the errors.log output for the bad records is in this very file.
                assertThat(new String(log, StandardCharsets.UTF_8)).contains("failed authentication")
                        .as("the converter settings the connector-configs files share cause no warning")
                        .doesNotContain("Duplicate id-handler configuration");
                assertThat(new PlaintextScanner(List.of(log)).findAny(secrets)).as("a secret in " + w.logFile()).isNull();
                for (byte[] dek : dataKeys) {
                    assertThat(new PlaintextScanner(List.of(log)).contains(dek)).as("a raw data key in " + w.logFile()).isFalse();
                }
                assertTheScanWouldSeeAPlantedKey(log);
            }
            StringBuilder rest = new StringBuilder();
            for (String path : List.of("/connectors?expand=status&expand=info", "/connectors/hygiene-sink/config",
                    "/connectors/hygiene-source/config", "/connectors/hygiene-sink/status")) {
                rest.append(Http.get(cluster.restUrl() + path).raw());
            }
            assertThat(new PlaintextScanner(List.of(rest.toString().getBytes(StandardCharsets.UTF_8))).findAny(secrets))
                    .as("a secret in the REST API").isNull();
            assertThat(rest.toString()).contains("${file:");
        }
    }

    /** The data keys of the topic's envelopes, as raw bytes (filled by {@link #secrets}). */
    private final List<byte[]> dataKeys = new ArrayList<>();

    /**
     * Card numbers, names and e-mails of every record, the client secrets, and every data key in every text
     * form it could be logged in ({@link PlaintextScanner#textForms}).
     */
    private List<String> secrets(List<ConsumerRecord<byte[], byte[]>> topic) {
        Set<String> s = new LinkedHashSet<>();
        for (long seq = 0; seq < GOOD; seq++) {
            s.addAll(Payments.sensitiveStrings(SEED, seq));
        }
        s.add(SharedStack.ENCRYPTOR_SECRET);
        s.add(SharedStack.DECRYPTOR_SECRET);
        s.add(SharedStack.LOCAL_KEY);
        EnvelopeReader reader = new EnvelopeReader(shared.stack.registry());
        Set<String> wrappedSeen = new LinkedHashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : topic) {
            EnvelopeReader.Decoded d = reader.decode(r.value());
            byte[] wrapped = d.bytes("wrappedDataKey");
            if (wrappedSeen.add(Base64.getEncoder().encodeToString(wrapped))) {
                String[] path = URI.create(d.string("keyId")).getPath().split("/");
                byte[] dek = shared.stack.keyVault().unwrapForTest(path[2], path[3], d.string("dataKeyWrapAlgorithm"), wrapped);
                s.addAll(PlaintextScanner.textForms(dek));
                dataKeys.add(dek);
            }
        }
        assertThat(wrappedSeen).isNotEmpty();
        return new ArrayList<>(s);
    }

    /**
     * Positive control for the log scan: a fresh key planted in the log in each text form, and as raw bytes, is
     * found. A scan that misses an encoding (Key Vault's unpadded base64url, say) fails here, not silently.
     */
    private static void assertTheScanWouldSeeAPlantedKey(byte[] log) {
        byte[] planted = new byte[32];
        new java.security.SecureRandom().nextBytes(planted);
        planted[0] = (byte) 0xfb; // a byte whose base64 and base64url forms differ
        for (String form : PlaintextScanner.textForms(planted)) {
            byte[] withKey = java.util.Arrays.copyOf(log, log.length + form.length() + 1);
            System.arraycopy(("\n" + form).getBytes(StandardCharsets.UTF_8), 0, withKey, log.length, form.length() + 1);
            assertThat(new PlaintextScanner(List.of(withKey)).contains(form)).as("planted key as " + form).isTrue();
        }
        assertThat(PlaintextScanner.textForms(planted)).hasSize(6);
        byte[] withRaw = java.util.Arrays.copyOf(log, log.length + planted.length);
        System.arraycopy(planted, 0, withRaw, log.length, planted.length);
        assertThat(new PlaintextScanner(List.of(withRaw)).contains(planted)).as("planted raw key").isTrue();
    }

    /** Four kinds of bad record, built from a good envelope's bytes. */
    private Map<String, byte[]> badRecords(byte[] goodValue) throws IOException {
        EnvelopeReader reader = new EnvelopeReader(shared.stack.registry());
        EnvelopeReader.Decoded d = reader.decode(goodValue);
        Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
        bad.put("not-avro", "this is not Avro at all".getBytes(StandardCharsets.UTF_8));

        GenericRecord tampered = new GenericData.Record(d.schema());
        d.schema().getFields().forEach(f -> tampered.put(f.name(), d.record().get(f.name())));
        byte[] ct = d.bytes("encryptedPayload");
        ct[ct.length / 2] ^= 0x40;
        tampered.put("encryptedPayload", ByteBuffer.wrap(ct));
        bad.put("tampered-ciphertext", wire(d.schemaId(), d.schema(), tampered));

        GenericRecord moved = new GenericData.Record(d.schema());
        d.schema().getFields().forEach(f -> moved.put(f.name(), d.record().get(f.name())));
        String keyId = d.string("keyId");
        moved.put("keyId", keyId.substring(0, keyId.lastIndexOf('/') + 1) + "0".repeat(32));
        bad.put("unknown-key-version", wire(d.schemaId(), d.schema(), moved));

        JsonNode registered = Http.post(shared.stack.registry().ccompatUrl() + "/subjects/hygiene-foreign-value/versions",
                Map.of("schema", "\"string\"")).body();
        int foreignId = registered.get("id").asInt();
        ByteArrayOutputStream foreign = new ByteArrayOutputStream();
        foreign.write(0);
        foreign.write(ByteBuffer.allocate(4).putInt(foreignId).array());
        byte[] text = "plain value, not an envelope".getBytes(StandardCharsets.UTF_8);
        foreign.write(text.length * 2); // Avro string length, zig-zag (length < 64)
        foreign.write(text);
        bad.put("not-an-envelope", foreign.toByteArray());
        return bad;
    }

    private static byte[] wire(int schemaId, org.apache.avro.Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private void produce(Map<String, byte[]> bad) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, shared.stack.broker().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(TOPIC, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue());
                r.headers().add("bad-record", e.getKey().getBytes(StandardCharsets.UTF_8));
                r.headers().add("sequence", "-1".getBytes(StandardCharsets.UTF_8));
                producer.send(r);
            }
            producer.flush();
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private long safeEndOffsets(String topic) {
        try {
            return shared.stack.broker().endOffsets(topic);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
