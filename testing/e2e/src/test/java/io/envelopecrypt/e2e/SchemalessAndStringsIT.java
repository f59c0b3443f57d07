package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.EnvelopeReader;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario c and plain strings: schemaless values (what a JSON source produces) and FileStreamSource
 * lines, encrypted in local development key mode (the key read from the worker's environment through the
 * {@code env} config provider), written as Avro or schemaless JSON envelopes, and decrypted back.
 */
@ExtendWith(SharedStackExtension.class)
class SchemalessAndStringsIT {
    private final SharedStack shared;
    private final ConnectCluster connect;

    SchemalessAndStringsIT(SharedStack shared) {
        this.shared = shared;
        this.connect = shared.connect;
    }

    private static Map<String, String> localKey(String prefix) {
        return Pipelines.localKey(prefix);
    }

    @Test
    void c_schemalessMapsThroughAnAvroEnvelopeComeBackAsEqualMaps() throws Exception {
        String topic = "schemaless-avro";
        int records = 1_000;
        Path out = shared.stack.workDir().resolve("schemaless-avro.jsonl");
        Map<String, String> source = Pipelines.encryptingSource(topic, records, 7, shared.stack.registry(),
                localKey("transforms.encrypt."));
        source.put("schemaless", "true");
        connect.createConnector("schemaless-source", source);
        connect.createConnector("schemaless-sink", Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                localKey("transforms.decrypt.")));
        List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect,
                "schemaless-source", "schemaless-sink");
        assertMapsEqualTheSource(received, 7, records);

        EnvelopeReader reader = new EnvelopeReader(shared.stack.registry());
        for (ConsumerRecord<byte[], byte[]> r : shared.stack.broker().readAll(topic, Duration.ofSeconds(60))) {
            EnvelopeReader.Decoded d = reader.decode(r.value());
            assertThat(d.string("payloadFormat")).isEqualTo("avro-schemaless");
            assertThat(d.record().get("payloadSchema")).isNull();
            assertThat(d.string("keyId")).startsWith("local:dev/");
        }
        connect.deleteConnector("schemaless-source");
        connect.deleteConnector("schemaless-sink");
    }

    @Test
    void c_schemalessMapsThroughASchemalessJsonEnvelopeComeBackAsEqualMaps() throws Exception {
        String topic = "schemaless-json";
        int records = 500;
        Path out = shared.stack.workDir().resolve("schemaless-json.jsonl");
        Map<String, String> source = Pipelines.encryptingSource(topic, records, 8, shared.stack.registry(),
                localKey("transforms.encrypt."));
        source.put("schemaless", "true");
        jsonWithoutSchemas(source);
        Map<String, String> sink = Pipelines.decryptingSink(topic, out, shared.stack.registry(), localKey("transforms.decrypt."));
        jsonWithoutSchemas(sink);
        connect.createConnector("json-source", source);
        connect.createConnector("json-sink", sink);
        List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect,
                "json-source", "json-sink");
        assertMapsEqualTheSource(received, 8, records);
        String firstValue = new String(shared.stack.broker().readAll(topic, Duration.ofSeconds(60)).get(0).value(),
                StandardCharsets.UTF_8);
        assertThat(firstValue).startsWith("{").contains("\"encryptedPayload\":").doesNotContain("example.org");
        connect.deleteConnector("json-source");
        connect.deleteConnector("json-sink");
    }

    private static void jsonWithoutSchemas(Map<String, String> config) {
        config.keySet().removeIf(k -> k.startsWith("value.converter"));
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
    }

    private static void assertMapsEqualTheSource(List<Recording.Received> received, long seed, int records) {
        assertThat(received).hasSize(records);
        Map<Long, Object> bySequence = new HashMap<>();
        for (Recording.Received r : received) {
            assertThat(r.schema()).isNull();
            bySequence.put(Long.parseLong(r.header("sequence")), r.value());
        }
        for (long seq = 0; seq < records; seq++) {
            assertThat(bySequence.get(seq)).as("record %d", seq).isEqualTo(new LinkedHashMap<>(Payments.paymentMap(seed, seq)));
        }
    }

    @Test
    void plainStringLinesFromFileStreamSourceRoundTrip() throws Exception {
        Path dir = shared.stack.workDir().resolve("files");
        Files.createDirectories(dir);
        Path input = dir.resolve("input.txt");
        Path output = dir.resolve("output.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            lines.add("line " + i + " secret-token-" + (i * 7919) + " ünïcödé ✓");
        }
        Files.write(input, lines, StandardCharsets.UTF_8);
        Map<String, String> replacements = Map.of("/tmp/envelopecrypt/input.txt", input.toString(),
                "/tmp/envelopecrypt/output.txt", output.toString(), "lines.dev.encrypted", "lines-e2e");
        Path configs = shared.stack.layout().connectorConfigs();
        String source = connect.createConnectorFromFile(configs.resolve("source-file-lines-encrypt-local-dev.json"), replacements);
        String sink = connect.createConnectorFromFile(configs.resolve("sink-file-lines-decrypt-local-dev.json"), replacements);
        // Connect delivers at least once: a task moved between the two workers by a rebalance (another
        // connector created on the shared cluster) re-reads from its last committed offset, so a line may be
        // written twice. Every line must arrive, in order, and nothing else may appear.
        Wait.until("300 distinct lines in " + output, SharedStack.timeout(),
                () -> Files.exists(output) && new LinkedHashSet<>(readLines(output)).size() >= 300);
        List<String> written = readLines(output);
        assertThat(new ArrayList<>(new LinkedHashSet<>(written))).containsExactlyElementsOf(lines);
        assertThat(written).as("redelivered lines only").allMatch(lines::contains);
        List<byte[]> raw = new ArrayList<>();
        shared.stack.broker().readAll("lines-e2e", Duration.ofSeconds(30)).forEach(r -> raw.add(r.value()));
        assertThat(new io.envelopecrypt.harness.PlaintextScanner(raw).findAny(List.of("secret-token-7919", "ünïcödé")))
                .isNull();
        connect.deleteConnector(source);
        connect.deleteConnector(sink);
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
