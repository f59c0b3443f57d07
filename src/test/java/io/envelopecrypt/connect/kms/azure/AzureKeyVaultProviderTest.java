package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URL;
import java.security.SecureRandom;
import java.util.Map;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real Azure SDK against the Key Vault and Entra test double, at the provider level. */
class AzureKeyVaultProviderTest {
    private static AzureTestSupport azure;

    @BeforeAll
    static void start() throws IOException {
        azure = new AzureTestSupport();
    }

    @AfterAll
    static void stop() throws IOException {
        azure.close();
    }

    static AzureKeyVaultKeyProvider provider(Map<String, Object> props) {
        ConfigDef def = new ConfigDef();
        io.envelopecrypt.connect.engine.KekProviders.addTo(def);
        return AzureKeyVaultKeyProvider.create(new AzureKeyVaultConfig(new AbstractConfig(def, props)));
    }

    private static byte[] dek() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "remote"})
    void wrapsAndUnwrapsThroughKeyVault(String mode) {
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.wrap.mode", mode));
             AzureKeyVaultKeyProvider dec = provider(azure.decryptConfig())) {
            byte[] key = dek();
            WrappedKey wrapped = enc.wrap(key);
            assertThat(wrapped.keyId()).isEqualTo(azure.vault.vaultUrl() + "/keys/" + AzureTestSupport.KEY + "/"
                    + azure.vault.latestVersion(AzureTestSupport.KEY));
            assertThat(wrapped.algorithm()).isEqualTo("RSA-OAEP-256");
            assertThat(wrapped.wrapped()).hasSize(256);
            assertThat(dec.unwrap(wrapped)).isEqualTo(key);
        }
    }

    @Test
    void theChallengeResourceIsVerifiedUnlessASettingSaysOtherwise() throws IOException {
        // A double on localhost with a challenge for https://vault.azure.net: only the setting lets it pass. (Every
        // other test here reaches the double as a *.vault.azure.net host, with the check on.)
        try (AzureTestSupport fresh = new AzureTestSupport("localhost")) {
            try (AzureKeyVaultKeyProvider enc = provider(fresh.encryptConfig())) {
                assertThatThrownBy(() -> enc.wrap(dek())).isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
                        .hasMessageContaining("challenge").hasMessageContaining("azure.keyvault.challenge.resource.verification");
            }
            assertThat(fresh.vault.tokensIssued(fresh.encryptor)).as("no token was requested for the mismatched vault")
                    .isZero();
            try (AzureKeyVaultKeyProvider enc = provider(fresh.encryptConfig("azure.keyvault.challenge.resource.verification",
                    "false"))) {
                assertThat(enc.wrap(dek()).keyId()).as("with the setting off").startsWith(fresh.vault.vaultUrl());
            }
        }
    }

    @Test
    void theDoubleRefusesRequestsWithoutASupportedApiVersionAsKeyVaultDoes() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("double", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(azure.vault.caCertificatePem()
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(tls).build();
        for (String query : java.util.List.of("", "?api-version=2016-10-01", "?api-version=9.9")) {
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    azure.vault.vaultUrl() + "/keys/" + AzureTestSupport.KEY + query)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(r.body()).as(query).contains("BadParameter", "api-version");
        }
    }

    @Test
    void rsaOaepWithSha1IsAvailableForCompatibility() {
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.wrap.algorithm", "RSA-OAEP"));
             AzureKeyVaultKeyProvider dec = provider(azure.decryptConfig())) {
            byte[] key = dek();
            WrappedKey wrapped = enc.wrap(key);
            assertThat(wrapped.algorithm()).isEqualTo("RSA-OAEP");
            assertThat(dec.unwrap(wrapped)).isEqualTo(key);
        }
    }

    @Test
    void aPinnedVersionIsUsedEvenAfterRotation() {
        String pinned = azure.vault.latestVersion(AzureTestSupport.KEY);
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.key.version", pinned))) {
            enc.wrap(dek());
            long calls = enc.remoteCalls();
            enc.wrap(dek());
            assertThat(enc.remoteCalls()).as("the pinned key's public key is fetched once").isEqualTo(calls);
            assertThat(enc.wrap(dek()).keyId()).endsWith("/" + pinned);
        }
    }

    @Test
    void refusesToUnwrapForAnotherVaultOrKey() {
        try (AzureKeyVaultKeyProvider dec = provider(azure.decryptConfig())) {
            long before = azure.vault.operationCount("keys/unwrapkey");
            assertThatThrownBy(() -> dec.unwrap(new WrappedKey("https://evil.example.com/keys/" + AzureTestSupport.KEY + "/v1",
                    "RSA-OAEP-256", new byte[256])))
                    .isInstanceOf(KmsAccessException.class).hasMessageContaining("not in the configured vault");
            assertThatThrownBy(() -> dec.unwrap(new WrappedKey(azure.vault.vaultUrl() + "/keys/other-key/v1",
                    "RSA-OAEP-256", new byte[256])))
                    .isInstanceOf(KmsAccessException.class).hasMessageContaining("may only use key");
            assertThatThrownBy(() -> dec.unwrap(new WrappedKey(azure.vault.vaultUrl() + "/secrets/x/v1",
                    "RSA-OAEP-256", new byte[256])))
                    .isInstanceOf(KmsAccessException.class).hasMessageContaining("key identifier");
            assertThat(azure.vault.operationCount("keys/unwrapkey")).as("no request was sent").isEqualTo(before);
        }
    }

    @Test
    void onlyAllowedKeysAndVersionsAreUnwrapped() {
        String other = azure.vault.createRsaKey("allow-other");
        Map<String, Object> noKey = azure.decryptConfig();
        noKey.remove("azure.keyvault.key.name");
        assertThatThrownBy(() -> io.envelopecrypt.connect.engine.KekProviders.create(config(noKey),
                io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider.KeyOperation.UNWRAP))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("azure.keyvault.keys.allowed").hasMessageContaining("told to trust");

        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.key.name", "allow-other"))) {
            WrappedKey wrapped = enc.wrap(dek());
            Map<String, Object> versionOnly = azure.decryptConfig("azure.keyvault.keys.allowed", "allow-other/" + other);
            versionOnly.remove("azure.keyvault.key.name");
            Map<String, Object> anotherVersion = azure.decryptConfig("azure.keyvault.keys.allowed", "allow-other/0123abcd");
            anotherVersion.remove("azure.keyvault.key.name");
            Map<String, Object> any = azure.decryptConfig("azure.keyvault.keys.allowed", "*");
            any.remove("azure.keyvault.key.name");
            try (AzureKeyVaultKeyProvider byVersion = provider(versionOnly);
                 AzureKeyVaultKeyProvider wrongVersion = provider(anotherVersion);
                 AzureKeyVaultKeyProvider anyKey = provider(any);
                 AzureKeyVaultKeyProvider defaultKeyOnly = provider(azure.decryptConfig())) {
                assertThat(byVersion.unwrap(wrapped)).hasSize(32);
                assertThat(anyKey.unwrap(wrapped)).hasSize(32);
                long before = azure.vault.operationCount("keys/unwrapkey");
                assertThatThrownBy(() -> wrongVersion.unwrap(wrapped)).isInstanceOf(KmsAccessException.class)
                        .hasMessageContaining("may only use keys");
                assertThatThrownBy(() -> defaultKeyOnly.unwrap(wrapped)).isInstanceOf(KmsAccessException.class)
                        .hasMessageContaining("may only use keys");
                assertThat(azure.vault.operationCount("keys/unwrapkey")).as("nothing sent for keys not allowed")
                        .isEqualTo(before);
            }
        }
    }

    private static AbstractConfig config(Map<String, Object> props) {
        ConfigDef def = new ConfigDef();
        io.envelopecrypt.connect.engine.KekProviders.addTo(def);
        return new AbstractConfig(def, props);
    }

    @Test
    void aWrongWrappedKeyIsARecordProblem() {
        try (AzureKeyVaultKeyProvider dec = provider(azure.decryptConfig())) {
            WrappedKey garbage = new WrappedKey(azure.vault.vaultUrl() + "/keys/" + AzureTestSupport.KEY + "/"
                    + azure.firstVersion, "RSA-OAEP-256", new byte[256]);
            assertThatThrownBy(() -> dec.unwrap(garbage)).isInstanceOfSatisfying(KmsAccessException.class, e -> {
                assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.INVALID_WRAPPED_KEY);
                assertThat(e.isRecordProblem()).isTrue();
                assertThat(e.getMessage()).contains("unwrapKey", AzureTestSupport.KEY, "HTTP 400");
            });
        }
    }

    @Test
    void theCustomCaIsTrustedOnlyByThePlugin() throws IOException {
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig())) {
            enc.wrap(dek());
        }
        HttpsURLConnection plain = (HttpsURLConnection) new URL(azure.vault.vaultUrl() + "/keys/x").openConnection();
        assertThatThrownBy(plain::getResponseCode).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> {
            try (AzureKeyVaultKeyProvider p = provider(azure.encryptConfig("azure.ssl.truststore.location", null))) {
                p.wrap(dek());
            }
        }).isInstanceOf(KmsAccessException.class).hasMessageContaining("TLS certificate is not trusted")
                .hasMessageContaining("azure.ssl.truststore.location");
    }

    @Test
    void aTokenKeyVaultRejectsIsReplacedOnceWithAFreshCredential() {
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.wrap.mode", "remote"));
             AzureKeyVaultKeyProvider dec = provider(azure.decryptConfig())) {
            WrappedKey wrapped = enc.wrap(dek());
            dec.unwrap(wrapped);
            // Key Vault's clock jumps past the cached tokens' expiry; the SDK still considers them valid.
            azure.vault.advanceClock(2 * 3600);
            try {
                assertThat(dec.unwrap(enc.wrap(dek()))).hasSize(32);
                assertThat(enc.credentialRefreshes()).isEqualTo(1);
                assertThat(dec.credentialRefreshes()).isEqualTo(1);
            } finally {
                azure.vault.advanceClock(-2 * 3600);
            }
        }
    }

    @Test
    void verifyOnStartChecksTheOperationEachSideNeeds() {
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.wrap.mode", "remote"));
             AzureKeyVaultKeyProvider dec = provider(azure.decryptConfig())) {
            enc.verify(io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider.KeyOperation.WRAP);
            dec.verify(io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
        }
        try (AzureKeyVaultKeyProvider missing = provider(azure.encryptConfig("azure.keyvault.key.name", "no-such-key"))) {
            assertThatThrownBy(() -> missing.verify(io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider.KeyOperation.WRAP))
                    .isInstanceOfSatisfying(KmsAccessException.class, e -> {
                        assertThat(e.reason()).isEqualTo(KmsAccessException.Reason.KEY_NOT_FOUND);
                        assertThat(e.getMessage()).contains("no-such-key", "getKey", "HTTP 404", azure.vault.vaultUrl());
                    });
        }
    }
}
