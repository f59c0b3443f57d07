package io.envelopecrypt.e2e;

import io.envelopecrypt.consumer.Decrypted;
import io.envelopecrypt.consumer.TopicDecryptor;
import io.envelopecrypt.harness.EnvelopeReader;
import io.envelopecrypt.harness.PlaintextScanner;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13 on the Connect cluster. Keyrings: the shared Key Vault test double stands for the primary region
 * ("eastus") and a second double, with its own Entra tenant, for the secondary ("westeu"); records written with both up
 * decrypt with either down and by a sink configured only for the secondary, and encrypting with the secondary down
 * fails closed unless the configuration accepts fewer copies. Crypto-shredding: 50 tenants on one topic, each under
 * its own key chosen from a record header; deleting and purging tenant 7's key leaves exactly tenant 7's records
 * unreadable on the sink (dead-letter topic, with the reason), through the Java API and through the CLI, and no
 * plaintext of tenant 7 anywhere.
 */
@ExtendWith(SharedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyringsAndShreddingIT {
    private static final String RING_TOPIC = "payments-keyring";
    private static final String TENANT_TOPIC = "payments-tenants";
    private static final String TENANT_DLQ = "dlq.payments-tenants";
    private static final String WEST_ENCRYPTOR_SECRET = "e2e-westeu-encryptor-5d2e";
    private static final String WEST_DECRYPTOR_SECRET = "e2e-westeu-decryptor-81aa";
    private static final int RING_RECORDS = 300;
    private static final int TENANTS = 50;
    private static final int ERASED = 7;
    private static final int TENANT_RECORDS = 1000;
    private static final long RING_SEED = 1313;
    private static final long TENANT_SEED = 5050;

    private final SharedStack shared;
    private KeyVaultTestDouble westeu;
    private String westEncryptor;
    private String westDecryptor;
    private Path work;

    KeyringsAndShreddingIT(SharedStack shared) {
        this.shared = shared;
    }

    @BeforeAll
    void startTheSecondRegion() throws IOException {
        work = Files.createDirectories(shared.stack.workDir().resolve("keyrings"));
        westeu = KeyVaultTestDouble.start();
        westEncryptor = westeu.registerApp(WEST_ENCRYPTOR_SECRET);
        westDecryptor = westeu.registerApp(WEST_DECRYPTOR_SECRET);
        westeu.grant(westEncryptor, List.of("keys/get"));
        westeu.grant(westDecryptor, List.of("keys/unwrapkey"));
        westeu.createRsaKey(SharedStack.KEK, 3072, List.of("wrapKey", "unwrapKey"));
        Files.writeString(work.resolve("westeu.properties"), "encryptor.secret=" + WEST_ENCRYPTOR_SECRET
                + "\ndecryptor.secret=" + WEST_DECRYPTOR_SECRET + "\n");
        westeu.writeCaCertificate(work.resolve("westeu-ca.pem"));
    }

    @AfterAll
    void stopTheSecondRegion() {
        shared.stack.keyVault().setUnavailable(false);
        westeu.close();
    }

    /** The shared vault as member "eastus" and the second double as member "westeu", for the transform at {@code prefix}. */
    private Map<String, String> ring(String prefix, boolean encrypting, String... aliases) {
        Map<String, String> kek = new HashMap<>(shared.azure(prefix, encrypting));
        kek.put(prefix + "kek.ring", String.join(",", aliases));
        // A region that is down answers 503 at once; the SDK's default backoff (0.8 s doubling, 3 retries) per call
        // would only slow the failovers down. Both members inherit these.
        kek.put(prefix + "azure.retry.max.retries", "1");
        kek.put(prefix + "azure.retry.base.delay.ms", "100");
        kek.put(prefix + "azure.retry.max.delay.ms", "200");
        kek.putAll(westeu(prefix + "kek.ring.westeu.", encrypting));
        return kek;
    }

    /** The settings that differ for the second region: its vault, tenant authority, identity and CA. */
    private Map<String, String> westeu(String prefix, boolean encrypting) {
        return Map.of(prefix + "azure.keyvault.url", westeu.vaultUrl(),
                prefix + "azure.authority.host", westeu.authorityHost(),
                prefix + "azure.client.id", encrypting ? westEncryptor : westDecryptor,
                prefix + "azure.client.secret", "${file:" + work.resolve("westeu.properties") + ":"
                        + (encrypting ? "encryptor" : "decryptor") + ".secret}",
                prefix + "azure.ssl.truststore.location", work.resolve("westeu-ca.pem").toString());
    }

    @Test
    void aKeyringOfTwoRegionsSurvivesEitherRegionAndServesASecondaryOnlySink() throws Exception {
        shared.connect.createConnector("ring-source", Pipelines.encryptingSource(RING_TOPIC, RING_RECORDS, RING_SEED,
                shared.stack.registry(), ring("transforms.encrypt.", true, "eastus", "westeu")));
        try {
            Wait.until(RING_RECORDS + " records", SharedStack.timeout(),
                    () -> shared.stack.broker().endOffsets(RING_TOPIC) >= RING_RECORDS);
        } finally {
            shared.connect.deleteConnector("ring-source");
        }
        EnvelopeReader reader = new EnvelopeReader(shared.stack.registry());
        for (ConsumerRecord<byte[], byte[]> r : shared.stack.broker().readAll(RING_TOPIC, Duration.ofSeconds(60))) {
            EnvelopeReader.Decoded d = reader.decode(r.value());
            assertThat(d.string("keyId")).startsWith(shared.stack.keyVault().vaultUrl());
            assertThat(String.valueOf(d.record().get("additionalWrappedKeys"))).contains(westeu.vaultUrl());
        }

        // (a) Either region down: the ring's sink fails over to the other.
        shared.stack.keyVault().setUnavailable(true);
        try {
            readAllThrough("ring-sink-eastus-down", ring("transforms.decrypt.", false, "eastus", "westeu"));
        } finally {
            shared.stack.keyVault().setUnavailable(false);
        }
        westeu.setUnavailable(true);
        try {
            readAllThrough("ring-sink-westeu-down", ring("transforms.decrypt.", false, "eastus", "westeu"));
        } finally {
            westeu.setUnavailable(false);
        }
        // (c) A sink that knows only the secondary region, as a disaster-recovery site would.
        Map<String, String> secondaryOnly = new HashMap<>(shared.azure("transforms.decrypt.", false));
        secondaryOnly.putAll(westeu("transforms.decrypt.", false));
        long eastUnwrapsBefore = shared.stack.keyVault().operationCount("keys/unwrapkey");
        readAllThrough("ring-sink-secondary-only", secondaryOnly);
        assertThat(shared.stack.keyVault().operationCount("keys/unwrapkey")).as("the primary was never asked")
                .isEqualTo(eastUnwrapsBefore);
    }

    private void readAllThrough(String name, Map<String, String> kek) throws Exception {
        Path out = work.resolve(name + ".jsonl");
        shared.connect.createConnector(name, Pipelines.decryptingSink(RING_TOPIC, out, shared.stack.registry(), kek));
        try {
            List<Recording.Received> received = Pipelines.awaitRecords(out, RING_RECORDS, SharedStack.timeout(),
                    shared.connect, name);
            Pipelines.assertSequencesExactlyOnce(received, RING_RECORDS);
            for (Recording.Received r : received) {
                assertThat(r.value()).isEqualTo(Payments.payment(RING_SEED, Long.parseLong(r.header("sequence"))));
            }
        } finally {
            shared.connect.deleteConnector(name);
        }
    }

    @Test
    void encryptingWithTheSecondaryDownFailsClosedUnlessFewerCopiesAreAccepted() throws Exception {
        String topic = "payments-keyring-degraded";
        westeu.setUnavailable(true);
        try {
            Map<String, String> strict = Pipelines.encryptingSource(topic, 20, RING_SEED, shared.stack.registry(),
                    ring("transforms.encrypt.", true, "eastus", "westeu"));
            strict.put("errors.retry.timeout", "5000");
            shared.connect.createConnector("ring-strict-source", strict);
            try {
                Wait.until("the strict source's task to fail", SharedStack.timeout(),
                        () -> String.valueOf(shared.connect.status("ring-strict-source")).contains("\"FAILED\""));
                assertThat(String.valueOf(shared.connect.status("ring-strict-source"))).contains("Keyring member 'westeu'");
                assertThat(shared.stack.broker().topicExists(topic) ? shared.stack.broker().endOffsets(topic) : 0L)
                        .as("nothing written with a copy missing").isZero();
            } finally {
                shared.connect.deleteConnector("ring-strict-source");
            }

            Map<String, String> lenient = Pipelines.encryptingSource(topic, 20, RING_SEED, shared.stack.registry(),
                    ring("transforms.encrypt.", true, "eastus", "westeu"));
            lenient.put("transforms.encrypt.kek.ring.wrap.policy", "available");
            shared.connect.createConnector("ring-lenient-source", lenient);
            try {
                Wait.until("20 records", SharedStack.timeout(), () -> shared.stack.broker().topicExists(topic)
                        && shared.stack.broker().endOffsets(topic) >= 20);
            } finally {
                shared.connect.deleteConnector("ring-lenient-source");
            }
            EnvelopeReader reader = new EnvelopeReader(shared.stack.registry());
            for (ConsumerRecord<byte[], byte[]> r : shared.stack.broker().readAll(topic, Duration.ofSeconds(60))) {
                assertThat(reader.decode(r.value()).record().get("additionalWrappedKeys")).as("no westeu copy").isNull();
            }
        } finally {
            westeu.setUnavailable(false);
        }
    }

    @Test
    void erasingOneTenantsKeyMakesExactlyThatTenantUnreadableEverywhere() throws Exception {
        KeyVaultTestDouble kv = shared.stack.keyVault();
        for (int t = 0; t < TENANTS; t++) {
            kv.createRsaKey("tenant-" + t, 2048, List.of("wrapKey", "unwrapKey"));
        }
        Map<String, String> kek = new HashMap<>(shared.azure("transforms.encrypt.", true));
        kek.put("transforms.encrypt.kek.key.template", "{header:tenant}");
        kek.put("transforms.encrypt.kek.key.allowed.pattern", "tenant-[0-9]{1,2}");
        Map<String, String> source = Pipelines.encryptingSource(TENANT_TOPIC, TENANT_RECORDS, TENANT_SEED,
                shared.stack.registry(), kek);
        source.put("tenants", String.valueOf(TENANTS));
        long getsBefore = kv.operationCount("keys/get");
        shared.connect.createConnector("tenants-source", source);
        try {
            Wait.until(TENANT_RECORDS + " records", SharedStack.timeout(),
                    () -> shared.stack.broker().endOffsets(TENANT_TOPIC) >= TENANT_RECORDS);
        } finally {
            shared.connect.deleteConnector("tenants-source");
        }
        assertThat(kv.operationCount("keys/get") - getsBefore).as("one key read per tenant's data key, not per record")
                .isBetween((long) TENANTS, 2L * TENANTS);

        // Erase tenant 7: delete its key, then purge it from soft delete.
        kv.deleteKey("tenant-" + ERASED);
        kv.purgeDeletedKey("tenant-" + ERASED);
        assertThat(kv.isRecoverable("tenant-" + ERASED)).isFalse();

        Path out = work.resolve("tenants.jsonl");
        Map<String, String> decrypt = new HashMap<>(shared.azure("transforms.decrypt.", false));
        decrypt.put("transforms.decrypt.azure.keyvault.keys.allowed", "tenant-*");
        decrypt.remove("transforms.decrypt.azure.keyvault.key.name");
        Map<String, String> sink = Pipelines.decryptingSink(TENANT_TOPIC, out, shared.stack.registry(), decrypt);
        sink.put("errors.tolerance", "all");
        sink.put("errors.deadletterqueue.topic.name", TENANT_DLQ);
        sink.put("errors.deadletterqueue.topic.replication.factor", "1");
        sink.put("errors.deadletterqueue.context.headers.enable", "true");
        int erasedRecords = TENANT_RECORDS / TENANTS;
        shared.connect.createConnector("tenants-sink", sink);
        List<Recording.Received> received;
        try {
            received = Pipelines.awaitRecords(out, TENANT_RECORDS - erasedRecords, SharedStack.timeout(), shared.connect,
                    "tenants-sink");
            Wait.until(erasedRecords + " records in " + TENANT_DLQ, SharedStack.timeout(),
                    () -> shared.stack.broker().topicExists(TENANT_DLQ)
                            && shared.stack.broker().endOffsets(TENANT_DLQ) >= erasedRecords);
        } finally {
            shared.connect.deleteConnector("tenants-sink");
        }
        for (Recording.Received r : received) {
            long seq = Long.parseLong(r.header("sequence"));
            assertThat(seq % TENANTS).as("no record of the erased tenant decrypted").isNotEqualTo(ERASED);
            assertThat(r.value()).isEqualTo(Payments.payment(TENANT_SEED, seq));
        }
        assertThat(received.stream().map(r -> r.header("sequence")).distinct().count())
                .as("every other tenant's record, once or more").isEqualTo(TENANT_RECORDS - erasedRecords);
        List<ConsumerRecord<byte[], byte[]>> dead = shared.stack.broker().readAll(TENANT_DLQ, Duration.ofSeconds(60));
        assertThat(dead).hasSize(erasedRecords);
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertThat(header(r, "tenant")).isEqualTo("tenant-" + ERASED);
            assertThat(header(r, "__connect.errors.exception.message")).contains("tenant-" + ERASED).contains("404");
        }

        // The Java API: the same records, the same outcome.
        List<ConsumerRecord<byte[], byte[]>> topic = shared.stack.broker().readAll(TENANT_TOPIC, Duration.ofSeconds(60));
        Map<String, Object> settings = new HashMap<>();
        shared.azure("", false).forEach(settings::put);
        settings.remove("azure.keyvault.key.name");
        settings.put("azure.keyvault.keys.allowed", "tenant-*");
        settings.put("config.providers", "file");
        settings.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        settings.put(TopicDecryptor.SCHEMA_REGISTRY_URL, shared.stack.registry().ccompatUrl());
        int apiRefused = 0;
        try (TopicDecryptor api = TopicDecryptor.fromConfig(settings)) {
            for (ConsumerRecord<byte[], byte[]> r : topic) {
                long seq = Long.parseLong(header(r, "sequence"));
                if (seq % TENANTS == ERASED) {
                    assertThatThrownBy(() -> api.decrypt(r.value())).isInstanceOf(ConnectException.class)
                            .hasMessageContaining("tenant-" + ERASED);
                    apiRefused++;
                } else {
                    Decrypted d = api.decrypt(r.value());
                    assertThat(d.value()).isEqualTo(Payments.payment(TENANT_SEED, seq));
                }
            }
        }
        assertThat(apiRefused).isEqualTo(erasedRecords);

        // The CLI: every other tenant's record printed, each of tenant 7's reported as failed (exit code 1).
        StringBuilder kekFile = new StringBuilder("config.providers=file\n"
                + "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n");
        settings.forEach((k, v) -> {
            if (k.startsWith("azure.") || k.startsWith("kek.")) {
                kekFile.append(k).append('=').append(v).append('\n');
            }
        });
        Path kekProperties = Files.writeString(work.resolve("tenants-decrypt.properties"), kekFile.toString());
        CliProcess cli = CliProcess.envelopecrypt(work, "decrypt", "-b", shared.stack.broker().bootstrapServers(),
                "-t", TENANT_TOPIC, "-r", shared.stack.registry().ccompatUrl(), "--kek-config", kekProperties.toString(),
                "-n", String.valueOf(TENANT_RECORDS));
        assertThat(cli.exit()).as(cli.stderr()).isEqualTo(1);
        assertThat(cli.stdout().lines().filter(l -> !l.isBlank()).count()).isEqualTo(TENANT_RECORDS - erasedRecords);
        assertThat(cli.stderr()).contains("tenant-" + ERASED);

        // No plaintext of tenant 7 anywhere. Encrypted values and messages hold no plaintext of any tenant, so every
        // string is looked for as is; the sink's file and the CLI's output hold the other tenants' values as JSON, where
        // "Ken Hopper #7" is a prefix of "Ken Hopper #71", so there each string is looked for with its closing quote, and
        // payment ids are left out: the generator's refunds name the payment before them ("refundOf"), of any tenant.
        List<String> erased = new ArrayList<>();
        for (long seq = ERASED; seq < TENANT_RECORDS; seq += TENANTS) {
            erased.addAll(Payments.sensitiveStrings(TENANT_SEED, seq));
        }
        List<byte[]> opaque = new ArrayList<>();
        Stream.concat(topic.stream(), dead.stream()).forEach(r -> opaque.add(r.value()));
        opaque.add(cli.stderr().getBytes(StandardCharsets.UTF_8));
        assertThat(new PlaintextScanner(opaque).findAny(erased)).as("erased tenant's plaintext in the topics or messages")
                .isNull();
        List<byte[]> json = List.of(Files.readAllBytes(out), cli.stdout().getBytes(StandardCharsets.UTF_8));
        assertThat(new PlaintextScanner(json).findAny(erased.stream().filter(s -> !s.startsWith("pay-"))
                .map(s -> s + "\"").toList()))
                .as("erased tenant's plaintext in the sink's file or the CLI's output").isNull();
        assertThat(new PlaintextScanner(json).findAny(List.of(Payments.cardNumber(TENANT_SEED, ERASED + 1) + "\"")))
                .as("the check above can fail: tenant 8's card number is found there").isNotNull();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
