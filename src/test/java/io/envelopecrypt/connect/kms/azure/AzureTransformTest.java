package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.testing.RandomConnectData;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;
import io.envelopecrypt.testkit.keyvault.TestCertificates;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static io.envelopecrypt.connect.testing.ConnectAssertions.assertSchemaEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** EncryptPayload and DecryptPayload with Azure Key Vault keys: the real Azure SDK against the test double. */
class AzureTransformTest {
    private static AzureTestSupport azure;
    private final OpenTransforms open = new OpenTransforms();

    @BeforeAll
    static void start() throws IOException {
        azure = new AzureTestSupport();
    }

    @AfterAll
    static void stop() throws IOException {
        azure.close();
    }

    @AfterEach
    void reset() throws Exception {
        azure.vault.resetFaults();
        azure.resetPermissions();
        open.close();
    }

    private EncryptPayload<SourceRecord> encryptor(Map<String, Object> config) {
        return open.encryptor(config);
    }

    private DecryptPayload<SourceRecord> decryptor(Map<String, Object> config) {
        return open.decryptor(config);
    }

    private static SourceRecord record(Object value) {
        return new SourceRecord(Map.of("p", 1), Map.of("o", 1), "payments", 0, Schema.STRING_SCHEMA, "k",
                value instanceof String ? Schema.STRING_SCHEMA : null, value, 1_700_000_000_000L);
    }

    private static String keyIdOf(SourceRecord encrypted) {
        return ((Struct) encrypted.value()).getString("keyId");
    }

    @Test
    void randomRecordsRoundTripWithAnAzureKek() {
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig("dek.max.records", "100"));
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig());
        for (long seed = 0; seed < 500; seed++) {
            RandomConnectData gen = new RandomConnectData(seed);
            Schema schema = gen.valueSchema();
            Object value = gen.value(schema);
            if (value == null) {
                continue;
            }
            SourceRecord in = new SourceRecord(Map.of(), Map.of(), "payments", 0, schema, value);
            SourceRecord out = decrypt.apply(encrypt.apply(in));
            assertSchemaEquals(schema, out.valueSchema());
            assertDeepEquals(value, out.value());
        }
    }

    @Test
    void keyRotationReachesNewEnvelopesAndOldOnesStillDecrypt() {
        String key = "rotating-kek";
        String v1 = azure.vault.createRsaKey(key);
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig("azure.keyvault.key.name", key,
                "dek.max.records", "5"));
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig("azure.keyvault.key.name", key));
        List<SourceRecord> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            before.add(encrypt.apply(record("before-" + i)));
        }
        before.forEach(r -> assertThat(keyIdOf(r)).endsWith("/keys/" + key + "/" + v1));

        String v2 = azure.vault.createRsaKey(key);
        SourceRecord after = encrypt.apply(record("after")); // 6th record: a new data key, wrapped by v2
        assertThat(keyIdOf(after)).endsWith("/keys/" + key + "/" + v2);

        for (int i = 0; i < 5; i++) {
            assertThat(decrypt.apply(before.get(i)).value()).isEqualTo("before-" + i);
        }
        assertThat(decrypt.apply(after).value()).isEqualTo("after");
    }

    @Test
    void leastPrivilegeEncryptorCannotDecryptAndDecryptorCannotEncrypt() {
        azure.vault.setPermissions(Map.of(
                azure.encryptor, List.of("keys/get"),
                azure.decryptor, List.of("keys/unwrapkey")));
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig());
        SourceRecord encrypted = encrypt.apply(record("card 4111111111111111"));

        DecryptPayload<SourceRecord> decryptAsEncryptor = decryptor(azure.encryptConfig());
        Throwable denied = catchThrowable(() -> decryptAsEncryptor.apply(encrypted));
        assertThat(denied).isInstanceOfSatisfying(KmsAccessException.class, e -> {
            assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.PERMISSION);
            assertThat(e.getMessage()).contains("unwrapKey", "HTTP 403", AzureTestSupport.KEY, azure.vault.vaultUrl())
                    .doesNotContain(AzureTestSupport.ENCRYPTOR_SECRET).doesNotContain("4111");
        });

        assertThat(decryptor(azure.decryptConfig()).apply(encrypted).value()).isEqualTo("card 4111111111111111");

        EncryptPayload<SourceRecord> encryptAsDecryptor = encryptor(azure.decryptConfig());
        assertThatThrownBy(() -> encryptAsDecryptor.apply(record("x"))).isInstanceOfSatisfying(KmsAccessException.class,
                e -> assertThat(e.getMessage()).contains("getKey", "HTTP 403"));
    }

    @Test
    void aPrincipalWithoutAnyGrantIsDeniedEverything() {
        // As in Azure: a registered application has no data-plane access until a role or policy grants it.
        String stranger = azure.vault.registerApp("stranger-secret-value-9");
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.config(stranger, "stranger-secret-value-9"));
        assertThatThrownBy(() -> encrypt.apply(record("x"))).isInstanceOfSatisfying(KmsAccessException.class, e -> {
            assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.PERMISSION);
            assertThat(e.getMessage()).contains("getKey", "HTTP 403");
        });
        SourceRecord genuine = encryptor(azure.encryptConfig()).apply(record("y"));
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.config(stranger, "stranger-secret-value-9"));
        assertThatThrownBy(() -> decrypt.apply(genuine)).isInstanceOfSatisfying(KmsAccessException.class,
                e -> assertThat(e.getMessage()).contains("unwrapKey", "HTTP 403"));
    }

    @Test
    void remoteWrappingNeedsWrapKeyPermission() {
        azure.vault.grant(azure.encryptor, List.of("keys/get"));
        EncryptPayload<SourceRecord> remote = encryptor(azure.encryptConfig("azure.keyvault.wrap.mode", "remote"));
        assertThatThrownBy(() -> remote.apply(record("x"))).isInstanceOfSatisfying(KmsAccessException.class,
                e -> assertThat(e.getMessage()).contains("wrapKey", "HTTP 403"));
        azure.vault.grant(azure.encryptor, List.of("keys/get", "keys/wrapkey"));
        assertThat(decryptor(azure.decryptConfig()).apply(remote.apply(record("y"))).value()).isEqualTo("y");
    }

    @Test
    void throttlingAndServerErrorsAreAbsorbedByRetries() {
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig());
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig());
        azure.vault.throttleNextRequests(2);
        SourceRecord encrypted = encrypt.apply(record("throttled"));
        azure.vault.rejectNextRequests(2);
        assertThat(decrypt.apply(encrypted).value()).isEqualTo("throttled");
    }

    @Test
    void anOutageLongerThanTheRetriesIsRetriableAndEmitsNothing() {
        azure.vault.setUnavailable(true);
        EncryptPayload<SourceRecord> cold = encryptor(azure.encryptConfig());
        Throwable t = catchThrowable(() -> cold.apply(record("secret during outage")));
        assertThat(t).isInstanceOf(RetriableException.class).isInstanceOf(KmsUnavailableException.class)
                .hasMessageContaining("HTTP 503").hasMessageContaining("retries exhausted")
                .hasMessageNotContaining("secret during outage");
        azure.vault.setUnavailable(false);
        SourceRecord encrypted = cold.apply(record("after outage"));

        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig());
        azure.vault.setUnavailable(true);
        assertThatThrownBy(() -> decrypt.apply(encrypted)).isInstanceOf(RetriableException.class);
        azure.vault.setUnavailable(false);
        assertThat(decrypt.apply(encrypted).value()).isEqualTo("after outage");
    }

    @Test
    void localWrappingSurvivesAnOutageWithTheLastKnownKeyVersion() {
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig("dek.max.records", "1"));
        SourceRecord first = encrypt.apply(record("first"));
        azure.vault.setUnavailable(true);
        SourceRecord during = encrypt.apply(record("during")); // a new data key, wrapped with the cached public key
        azure.vault.setUnavailable(false);
        assertThat(keyIdOf(during)).isEqualTo(keyIdOf(first));
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig());
        assertThat(decrypt.apply(during).value()).isEqualTo("during");
    }

    @Test
    void aDisabledKeyFailsClearly() {
        String key = "disabled-kek";
        String version = azure.vault.createRsaKey(key);
        azure.vault.setKeyEnabled(key, version, false);
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig("azure.keyvault.key.name", key));
        assertThatThrownBy(() -> encrypt.apply(record("x"))).isInstanceOfSatisfying(KmsAccessException.class, e -> {
            assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.KEY_NOT_USABLE);
            assertThat(e.getMessage()).contains(key, "getKey", "HTTP 403", "disabled", azure.vault.vaultUrl());
        });
    }

    @Test
    void anExpiredKeyOrOneWithoutWrapKeyFailsClearly() {
        String expired = "expired-kek";
        String v = azure.vault.createRsaKey(expired);
        azure.vault.setKeyExpiry(expired, v, null, System.currentTimeMillis() / 1000 - 60);
        assertThatThrownBy(() -> encryptor(azure.encryptConfig("azure.keyvault.key.name", expired)).apply(record("x")))
                .isInstanceOfSatisfying(KmsAccessException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.KEY_NOT_USABLE);
                    assertThat(e.getMessage()).contains("expired");
                });
        String signOnly = "sign-only-kek";
        azure.vault.createRsaKey(signOnly, 2048, List.of("sign", "verify"));
        assertThatThrownBy(() -> encryptor(azure.encryptConfig("azure.keyvault.key.name", signOnly)).apply(record("x")))
                .isInstanceOfSatisfying(KmsAccessException.class, e -> assertThat(e.getMessage()).contains("wrapKey"));
    }

    @Test
    void aWrongClientSecretFailsClearlyWithoutEchoingIt() {
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.config(azure.encryptor, "not-the-right-secret"));
        Throwable t = catchThrowable(() -> encrypt.apply(record("x")));
        assertThat(t).isInstanceOfSatisfying(KmsAccessException.class,
                e -> assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.AUTHENTICATION));
        for (Throwable c = t; c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain("not-the-right-secret");
        }
        assertThat(t.getMessage()).contains("Entra", "AADSTS7000215");
    }

    @Test
    void verifyOnStartFailsTheTaskAtConfigureTime() {
        EncryptPayload<SourceRecord> t = new EncryptPayload<>();
        assertThatThrownBy(() -> t.configure(azure.encryptConfig("azure.keyvault.key.name", "absent",
                "kek.verify.on.start", "true"))).isInstanceOf(KmsAccessException.class).hasMessageContaining("HTTP 404");
        t.close();
        encryptor(azure.encryptConfig("kek.verify.on.start", "true"));
        decryptor(azure.decryptConfig("kek.verify.on.start", "true"));
    }

    @Test
    void callBudgetSingleDigitsPerMillionRecordsAndOneUnwrapPerDataKey() {
        long wrapsBefore = azure.vault.operationCount("keys/get") + azure.vault.operationCount("keys/wrapkey");
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig());
        SourceRecord small = record("x");
        for (int i = 0; i < 1_000_000; i++) {
            encrypt.apply(small);
        }
        long encryptCalls = azure.vault.operationCount("keys/get") + azure.vault.operationCount("keys/wrapkey") - wrapsBefore;
        assertThat(encryptCalls).as("Key Vault calls for 1,000,000 records at default settings").isBetween(1L, 9L);

        EncryptPayload<SourceRecord> rotating = encryptor(azure.encryptConfig("dek.max.records", "1000"));
        List<SourceRecord> encrypted = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            encrypted.add(rotating.apply(record("r" + i)));
        }
        long unwrapsBefore = azure.vault.operationCount("keys/unwrapkey");
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig());
        for (SourceRecord r : encrypted) {
            decrypt.apply(r);
        }
        assertThat(azure.vault.operationCount("keys/unwrapkey") - unwrapsBefore).isEqualTo(20);
    }

    @Test
    void clientCertificateAndWorkloadIdentityCredentials() throws IOException {
        TestCertificates.Issued cert = TestCertificates.selfSigned("envelopecrypt-test-app");
        String certApp = azure.vault.registerCertificateApp(cert.certificate());
        azure.vault.grant(certApp, List.of("keys/get"));
        Path pem = Files.createTempFile("client", ".pem");
        Files.writeString(pem, cert.privateKeyAndCertificatePem());
        EncryptPayload<SourceRecord> byCert = encryptor(azure.config(certApp, null,
                "azure.credential.type", "client-certificate", "azure.client.certificate.path", pem.toString()));
        SourceRecord encrypted = byCert.apply(record("by certificate"));

        String workload = azure.vault.registerFederatedApp();
        azure.vault.grant(workload, List.of("keys/unwrapkey"));
        Path token = Files.createTempFile("federated", ".jwt");
        Files.writeString(token, azure.vault.issueFederatedToken(workload));
        DecryptPayload<SourceRecord> byWorkload = decryptor(azure.config(workload, null,
                "azure.credential.type", "workload-identity", "azure.federated.token.file", token.toString()));
        assertThat(byWorkload.apply(encrypted).value()).isEqualTo("by certificate");
        assertThat(azure.vault.tokensIssued(certApp)).isPositive();
        assertThat(azure.vault.tokensIssued(workload)).isPositive();
        Files.delete(pem);
        Files.delete(token);
    }

    @Test
    void aRecordWrappedByAnUnknownKeyVersionIsADataError() {
        EncryptPayload<SourceRecord> encrypt = encryptor(azure.encryptConfig());
        Struct envelope = (Struct) encrypt.apply(record("x")).value();
        Struct moved = new Struct(envelope.schema());
        envelope.schema().fields().forEach(f -> moved.put(f, envelope.get(f)));
        moved.put("keyId", azure.vault.vaultUrl() + "/keys/" + AzureTestSupport.KEY + "/00000000000000000000000000000000");
        DecryptPayload<SourceRecord> decrypt = decryptor(azure.decryptConfig());
        assertThatThrownBy(() -> decrypt.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, moved.schema(), moved)))
                .isInstanceOf(DataException.class).hasMessageContaining("HTTP 404");
    }

    @Test
    void missingSettingsAreConfigErrors() {
        EncryptPayload<SourceRecord> t = new EncryptPayload<>();
        Map<String, Object> noKey = azure.encryptConfig();
        noKey.remove("azure.keyvault.key.name");
        assertThatThrownBy(() -> t.configure(noKey)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("azure.keyvault.key.name");
        t.close();
        assertThat(KeyVaultTestDouble.TENANT_ID).isNotBlank();
    }
}
