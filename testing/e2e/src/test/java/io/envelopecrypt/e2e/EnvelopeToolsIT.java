package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.envelopecrypt.consumer.ConfluentWireFormat;
import io.envelopecrypt.consumer.Decrypted;
import io.envelopecrypt.consumer.TopicDecryptor;
import io.envelopecrypt.consumer.EnvelopeRecords;
import io.envelopecrypt.consumer.PlaintextJson;
import io.envelopecrypt.consumer.SchemaRegistryClient;
import io.envelopecrypt.consumer.examples.PlainKafkaConsumerExample;
import io.envelopecrypt.harness.RepoLayout;
import io.envelopecrypt.testconnectors.Payments;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8 on the real pipeline: a topic written by EncryptPayload (Azure Key Vault KEK) on the Connect
 * cluster is read back outside Connect by the Java consumer API, the plain-KafkaConsumer example, the
 * packaged CLI ({@code inspect}, {@code decrypt}, {@code rewrap} to a new key version) and a Python consumer
 * (confluent-kafka, azure-keyvault-keys) that follows only the specification. The topic keeps its payload schemas
 * in the registry and compresses payloads with zstd (issue 14), so every reader resolves and checks schema ids.
 */
@ExtendWith(SharedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnvelopeToolsIT {
    static final String TOPIC = "payments-tools";
    static final String REWRAPPED = "payments-tools-rewrapped";
    static final String KEK = "tools-kek";
    static final long SEED = 8;
    static final int RECORDS = 400;
    static final int TOMBSTONE_EVERY = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SharedStack shared;
    private final KeyVaultTestDouble kv;
    private String firstVersion;
    private List<ConsumerRecord<byte[], byte[]>> raw;
    private Path work;
    private Path decryptorKek;
    private Path encryptorKek;
    /** Expected values (JsonConverter JSON, null for tombstones) by the generator's sequence number. */
    private Map<Long, JsonNode> expected;
    private final Map<Long, Long> sequenceByOffset = new HashMap<>();

    EnvelopeToolsIT(SharedStack shared) {
        this.shared = shared;
        this.kv = shared.stack.keyVault();
    }

    @BeforeAll
    void writeTheEncryptedTopic() throws Exception {
        work = Files.createDirectories(shared.stack.workDir().resolve("envelope-tools"));
        firstVersion = kv.createRsaKey(KEK, 3072, List.of("wrapKey", "unwrapKey"));
        Map<String, String> kek = new HashMap<>(shared.azure("transforms.encrypt.", true));
        kek.put("transforms.encrypt.azure.keyvault.key.name", KEK);
        kek.put("transforms.encrypt.envelope.context", "topic");
        kek.put("transforms.encrypt.payload.schema.location", "registry");
        kek.put("transforms.encrypt.schema.registry.url", shared.stack.registry().ccompatUrl());
        kek.put("transforms.encrypt.payload.compression", "zstd");
        Map<String, String> source = Pipelines.encryptingSource(TOPIC, RECORDS, SEED, shared.stack.registry(), kek);
        source.put("tombstone.every", String.valueOf(TOMBSTONE_EVERY));
        shared.connect.createConnector("tools-source", source);
        long deadline = System.nanoTime() + SharedStack.timeout().toNanos();
        while (shared.stack.broker().endOffsets(TOPIC) < RECORDS) {
            assertThat(System.nanoTime()).as("the source wrote %d records in time", RECORDS).isLessThan(deadline);
            Thread.sleep(500);
        }
        shared.connect.deleteConnector("tools-source");
        raw = shared.stack.broker().readAll(TOPIC, Duration.ofSeconds(60));
        assertThat(raw).hasSize(RECORDS);

        expected = new LinkedHashMap<>();
        StringBuilder lines = new StringBuilder();
        for (long seq = 0; seq < RECORDS; seq++) {
            JsonNode value = Payments.isTombstone(seq, TOMBSTONE_EVERY) ? null
                    : JSON.readTree(PlaintextJson.toJson(Payments.PAYMENT, Payments.payment(SEED, seq)));
            expected.put(seq, value);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("sequence", seq);
            row.put("value", value);
            lines.append(JSON.writeValueAsString(row)).append('\n');
        }
        Files.writeString(work.resolve("expected.jsonl"), lines);
        raw.forEach(r -> sequenceByOffset.put(r.offset(), sequence(r)));
        decryptorKek = kekFile("decryptor.properties", false);
        encryptorKek = kekFile("encryptor.properties", true);
    }

    @AfterAll
    void cleanUp() {
        shared.connect.deleteConnector("tools-source");
    }

    /** A KEK properties file as a user writes one; the secret stays in the secrets file (FileConfigProvider). */
    private Path kekFile(String name, boolean encrypting) throws IOException {
        StringBuilder p = new StringBuilder("config.providers=file\n"
                + "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n");
        shared.azure("", encrypting).forEach((k, v) -> p.append(k).append('=').append(v).append('\n'));
        p.append("azure.keyvault.key.name=").append(KEK).append('\n');
        return Files.writeString(work.resolve(name), p.toString());
    }

    private Map<String, Object> decryptorSettings() {
        Map<String, Object> settings = new HashMap<>(shared.azure("", false));
        settings.put("azure.keyvault.key.name", KEK);
        settings.put("config.providers", "file");
        settings.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        settings.put(TopicDecryptor.SCHEMA_REGISTRY_URL, shared.stack.registry().ccompatUrl());
        return settings;
    }

    private static long sequence(ConsumerRecord<byte[], byte[]> r) {
        return Long.parseLong(new String(r.headers().lastHeader("sequence").value(), StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void javaApiDecryptsEveryRecordToTheSourceValueAndSchema() {
        Set<String> wrappedKeys = new HashSet<>();
        try (TopicDecryptor decryptor = TopicDecryptor.fromConfig(decryptorSettings())) {
            int decrypted = 0;
            for (ConsumerRecord<byte[], byte[]> r : raw) {
                long seq = sequence(r);
                if (Payments.isTombstone(seq, TOMBSTONE_EVERY)) {
                    assertThat(r.value()).isNull();
                    continue;
                }
                Decrypted d = decryptor.decrypt(r.value());
                assertThat(d.schema()).isEqualTo(Payments.PAYMENT);
                assertThat(d.value()).as("record %d", seq).isEqualTo(Payments.payment(SEED, seq));
                assertThat(d.envelope().keyId()).endsWith("/keys/" + KEK + "/" + firstVersion);
                wrappedKeys.add(java.util.HexFormat.of().formatHex(d.envelope().wrappedDataKey()));
                decrypted++;
            }
            assertThat(decrypted).isEqualTo(RECORDS - (RECORDS - 1) / TOMBSTONE_EVERY);
            assertThat(decryptor.unwraps()).as("one unwrap per distinct data key").isEqualTo(wrappedKeys.size());
        }
    }

    @Test
    @Order(2)
    void thePlainKafkaConsumerExampleDecryptsTheTopic() {
        Map<Long, String> seen = new HashMap<>();
        long polled = PlainKafkaConsumerExample.consume(shared.stack.broker().bootstrapServers(), TOPIC, "example-reader",
                decryptorSettings(), RECORDS, (key, value) -> seen.put(
                        ((Number) ((org.apache.kafka.connect.data.Struct) value.value()).get("sequence")).longValue(), value.toJson()));
        assertThat(polled).isEqualTo(RECORDS);
        assertThat(seen).hasSize(RECORDS - (RECORDS - 1) / TOMBSTONE_EVERY);
        expected.forEach((seq, value) -> {
            if (value != null) {
                assertThat(readTree(seen.get(seq))).as("record %d", seq).isEqualTo(value);
            }
        });
    }

    @Test
    @Order(3)
    void cliInspectShowsTheEnvelopesWithoutAKeyAndWithoutPlaintext() throws Exception {
        Cli run = cli("inspect", "-b", shared.stack.broker().bootstrapServers(), "-t", TOPIC,
                "-r", shared.stack.registry().ccompatUrl());
        assertThat(run.exit).as(run.stderr).isZero();
        List<JsonNode> lines = run.jsonLines();
        assertThat(lines).hasSize(RECORDS);
        assertThat(lines).filteredOn(l -> l.path("tombstone").asBoolean()).hasSize((RECORDS - 1) / TOMBSTONE_EVERY);
        for (JsonNode l : lines) {
            if (!l.path("tombstone").asBoolean()) {
                assertThat(l.get("keyId").asText()).isEqualTo(kv.vaultUrl() + "/keys/" + KEK + "/" + firstVersion);
                assertThat(l.get("encryptionAlgorithm").asText()).isEqualTo("AES-256-GCM");
                assertThat(l.get("metadata").get("source").asText()).isEqualTo("e2e");
            }
        }
        for (long seq = 0; seq < RECORDS; seq += 7) {
            for (String secret : Payments.sensitiveStrings(SEED, seq)) {
                assertThat(run.stdout).doesNotContain(secret);
            }
        }
        assertThat(run.stderr).contains("Inspected " + RECORDS + " records");
    }

    @Test
    @Order(4)
    void cliDecryptPrintsTheSourceValues() throws Exception {
        Cli run = cli("decrypt", "-b", shared.stack.broker().bootstrapServers(), "-t", TOPIC,
                "-r", shared.stack.registry().ccompatUrl(), "--kek-config", decryptorKek.toString());
        assertThat(run.exit).as(run.stderr).isZero();
        assertDecryptedOutputMatches(run);
    }

    @Test
    @Order(5)
    void cliDecryptWithAPrincipalThatMayNotUnwrapFailsClearly() throws Exception {
        Cli run = cli("decrypt", "-b", shared.stack.broker().bootstrapServers(), "-t", TOPIC,
                "-r", shared.stack.registry().ccompatUrl(), "--kek-config", encryptorKek.toString(), "-n", "5");
        assertThat(run.exit).as(run.stderr).isEqualTo(3);
        assertThat(run.stderr).contains("403").contains(KEK).doesNotContain(SharedStack.ENCRYPTOR_SECRET);
        assertThat(run.stdout).isEmpty();
    }

    @Test
    @Order(6)
    void cliRewrapMovesEveryDataKeyToANewKeyVersionWithoutTouchingPayloads() throws Exception {
        String secondVersion = kv.createRsaKey(KEK, 3072, List.of("wrapKey", "unwrapKey"));
        shared.stack.broker().createTopic(REWRAPPED, 1);
        Cli run = cli("rewrap", "-b", shared.stack.broker().bootstrapServers(), "-t", TOPIC, "--to-topic", REWRAPPED,
                "-r", shared.stack.registry().ccompatUrl(), "--from-kek", decryptorKek.toString(),
                "--to-kek", encryptorKek.toString());
        assertThat(run.exit).as(run.stderr).isZero();
        assertThat(run.stderr).contains("Re-wrapped " + RECORDS + " records");

        List<ConsumerRecord<byte[], byte[]>> copied = shared.stack.broker().readAll(REWRAPPED, Duration.ofSeconds(60));
        assertThat(copied).hasSize(RECORDS);
        SchemaRegistryClient registry = new SchemaRegistryClient(shared.stack.registry().ccompatUrl());
        for (int i = 0; i < RECORDS; i++) {
            ConsumerRecord<byte[], byte[]> before = raw.get(i);
            ConsumerRecord<byte[], byte[]> after = copied.get(i);
            assertThat(after.key()).isEqualTo(before.key());
            assertThat(after.timestamp()).isEqualTo(before.timestamp());
            assertThat(sequence(after)).isEqualTo(sequence(before));
            if (before.value() == null) {
                assertThat(after.value()).isNull();
                continue;
            }
            var old = EnvelopeRecords.fromAvro(ConfluentWireFormat.read(before.value(), registry));
            var fresh = EnvelopeRecords.fromAvro(ConfluentWireFormat.read(after.value(), registry));
            assertThat(fresh.keyId()).isEqualTo(kv.vaultUrl() + "/keys/" + KEK + "/" + secondVersion);
            assertThat(fresh.wrappedDataKey()).isNotEqualTo(old.wrappedDataKey());
            assertThat(fresh.encryptedPayload()).isEqualTo(old.encryptedPayload());
            assertThat(fresh.iv()).isEqualTo(old.iv());
            assertThat(fresh.id()).isEqualTo(old.id());
        }
        Cli decrypt = cli("decrypt", "-b", shared.stack.broker().bootstrapServers(), "-t", REWRAPPED,
                "-r", shared.stack.registry().ccompatUrl(), "--kek-config", decryptorKek.toString());
        assertThat(decrypt.exit).as(decrypt.stderr).isZero();
        assertDecryptedOutputMatches(decrypt);
    }

    @Test
    @Order(7)
    void aPythonConsumerFollowingTheSpecDecryptsTheTopicThroughTheRegistryAndKeyVault() throws Exception {
        Path root = RepoLayout.find().root();
        String python = run(root, List.of("bash", "scripts/python-env.sh"), Map.of(), 600).stdout.trim();
        Path report = work.resolve("pytest-pipeline.xml");
        Map<String, String> env = new HashMap<>();
        env.put("INTEROP_BOOTSTRAP_SERVERS", shared.stack.broker().bootstrapServers());
        env.put("INTEROP_REGISTRY_URL", shared.stack.registry().ccompatUrl());
        env.put("INTEROP_TOPIC", TOPIC);
        env.put("INTEROP_RECORDS", String.valueOf(RECORDS));
        env.put("INTEROP_EXPECTED_FILE", work.resolve("expected.jsonl").toString());
        env.put("INTEROP_CA_FILE", shared.stack.keyVaultCaFile().toString());
        env.put("INTEROP_TENANT_ID", KeyVaultTestDouble.TENANT_ID);
        env.put("INTEROP_CLIENT_ID", shared.decryptor);
        env.put("INTEROP_CLIENT_SECRET", SharedStack.DECRYPTOR_SECRET);
        env.put("INTEROP_AUTHORITY_HOST", kv.authorityHost());
        env.put("INTEROP_VAULT_URL", shared.stack.keyVault().vaultUrl());
        env.put("INTEROP_KEY_NAME", KEK);
        Cli pytest = run(root, List.of(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "examples/python/test_pipeline.py", "--junitxml=" + report), env, 300);
        assertThat(pytest.exit).as(pytest.stdout + pytest.stderr).isZero();
        String xml = Files.readString(report);
        assertThat(xml).as("the Python test ran, not skipped").contains("tests=\"1\"").contains("skipped=\"0\"")
                .contains("failures=\"0\"").contains("errors=\"0\"");
    }

    private void assertDecryptedOutputMatches(Cli run) {
        List<JsonNode> lines = run.jsonLines();
        assertThat(lines).hasSize(RECORDS);
        for (JsonNode l : lines) {
            long seq = sequenceByOffset.get(l.get("offset").asLong());
            JsonNode want = expected.get(seq);
            if (want == null) {
                assertThat(l.path("tombstone").asBoolean()).as("record %d is a tombstone", seq).isTrue();
            } else {
                assertThat(l.get("value")).as("record %d", seq).isEqualTo(want);
            }
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Cli cli(String... args) throws Exception {
        return Cli.of(CliProcess.envelopecrypt(work, args));
    }

    private Cli run(Path dir, List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        return Cli.of(CliProcess.run(work, dir, command, env, timeoutSeconds));
    }

    private record Cli(int exit, String stdout, String stderr) {
        static Cli of(CliProcess p) {
            return new Cli(p.exit(), p.stdout(), p.stderr());
        }

        List<JsonNode> jsonLines() {
            return stdout.lines().filter(l -> !l.isBlank()).map(EnvelopeToolsIT::readTree).toList();
        }
    }
}
