package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testconnectors.Payments;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed data keys on the Connect cluster, with least-privilege identities in the Key Vault test double: a genuine
 * source signs its data keys; a forger that holds only keys/get on the KEK (enough to wrap data keys of its own)
 * writes to the same topic. The sink, which requires signatures, decrypts every genuine record and sends every
 * forged one to the dead-letter topic, with the reason.
 */
@ExtendWith(SharedStackExtension.class)
class SignedDataKeysIT {
    private static final String TOPIC = "signed-payments";
    private static final String DLQ = "dlq.signed-payments";
    private static final String SIGNING_KEY = "e2e-signing";
    private static final int GENUINE = 200;
    private static final int FORGED = 40;
    private static final long SEED = 5150;

    private final SharedStack shared;

    SignedDataKeysIT(SharedStack shared) {
        this.shared = shared;
    }

    @Test
    void forgedDataKeysGoToTheDeadLetterTopicAndGenuineOnesDecrypt() throws Exception {
        KeyVaultTestDouble kv = shared.stack.keyVault();
        kv.createRsaKey(SIGNING_KEY, 2048, List.of("sign", "verify"));
        String signer = kv.registerApp("e2e-signer-secret-77c1");
        String verifier = kv.registerApp("e2e-verifier-secret-1b0e");
        String forger = kv.registerApp("e2e-forger-secret-d3a9");
        kv.setPermissions(Map.of(shared.encryptor, List.of("keys/get"), shared.decryptor, List.of("keys/unwrapkey"),
                signer, List.of("keys/get", "keys/sign"), verifier, List.of("keys/get", "keys/unwrapkey"),
                forger, List.of("keys/get")));
        try {
            Map<String, String> genuine = Pipelines.encryptingSource(TOPIC, GENUINE, SEED, shared.stack.registry(),
                    identity("transforms.encrypt.", signer, "e2e-signer-secret-77c1"));
            genuine.put("transforms.encrypt.azure.keyvault.signing.key.name", SIGNING_KEY);
            genuine.put("transforms.encrypt.dek.max.records", "50");
            shared.connect.createConnector("signed-source", genuine);
            Wait.until(GENUINE + " genuine records", SharedStack.timeout(),
                    () -> shared.stack.broker().endOffsets(TOPIC) >= GENUINE);

            Map<String, String> forging = Pipelines.encryptingSource(TOPIC, FORGED, SEED + 1, shared.stack.registry(),
                    identity("transforms.encrypt.", forger, "e2e-forger-secret-d3a9"));
            forging.put("transforms.encrypt.envelope.metadata", "source=static:forger");
            shared.connect.createConnector("forger-source", forging);
            Wait.until("the forged records", SharedStack.timeout(),
                    () -> shared.stack.broker().endOffsets(TOPIC) >= GENUINE + FORGED);

            Path out = shared.stack.workDir().resolve("signed.jsonl");
            Map<String, String> sink = Pipelines.decryptingSink(TOPIC, out, shared.stack.registry(),
                    identity("transforms.decrypt.", verifier, "e2e-verifier-secret-1b0e"));
            sink.put("transforms.decrypt.azure.keyvault.signing.key.name", SIGNING_KEY);
            sink.put("errors.tolerance", "all");
            sink.put("errors.deadletterqueue.topic.name", DLQ);
            sink.put("errors.deadletterqueue.topic.replication.factor", "1");
            sink.put("errors.deadletterqueue.context.headers.enable", "true");
            shared.connect.createConnector("signed-sink", sink);
            List<Recording.Received> received = Pipelines.awaitRecords(out, GENUINE, SharedStack.timeout(),
                    shared.connect, "signed-sink");
            Wait.until(FORGED + " records in " + DLQ, SharedStack.timeout(), () -> endOffsets(DLQ) >= FORGED);

            Pipelines.assertSequencesExactlyOnce(received, GENUINE);
            for (Recording.Received r : received) {
                assertThat(r.value()).isEqualTo(Payments.payment(SEED, Long.parseLong(r.header("sequence"))));
            }
            List<ConsumerRecord<byte[], byte[]>> dead = shared.stack.broker().readAll(DLQ, Duration.ofSeconds(60));
            assertThat(dead).hasSize(FORGED);
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                assertThat(header(r, "__connect.errors.exception.class.name"))
                        .isEqualTo("io.envelopecrypt.connect.engine.DataKeyRejectedException");
                assertThat(header(r, "__connect.errors.exception.message")).contains("not signed").contains(SIGNING_KEY);
            }
            // One signature per data key: 200 records at 50 per key, plus one if a rebalance restarted the task.
            assertThat(kv.operationCount("keys/sign")).as("signatures").isBetween((long) GENUINE / 50, GENUINE / 50 + 2L);
        } finally {
            for (String name : List.of("signed-sink", "forger-source", "signed-source")) {
                try {
                    shared.connect.deleteConnector(name);
                } catch (RuntimeException notCreated) {
                    // the test failed before creating it
                }
            }
            kv.setPermissions(Map.of(shared.encryptor, List.of("keys/get"), shared.decryptor, List.of("keys/unwrapkey")));
        }
    }

    private Map<String, String> identity(String prefix, String clientId, String secret) {
        Map<String, String> kek = new HashMap<>(shared.azure(prefix, true));
        kek.put(prefix + "azure.client.id", clientId);
        kek.put(prefix + "azure.client.secret", secret);
        return kek;
    }

    private long endOffsets(String topic) {
        try {
            return shared.stack.broker().endOffsets(topic);
        } catch (RuntimeException e) {
            return 0; // the dead-letter topic does not exist until the first record fails
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
