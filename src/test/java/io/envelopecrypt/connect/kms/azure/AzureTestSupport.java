package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Key Vault test double with one key and two principals (encrypting and decrypting side). It answers as
 * {@value #VAULT_HOST}, which src/test/resources/test-hosts maps to 127.0.0.1, so the Azure SDK verifies the
 * vault's authentication challenge exactly as against Azure: the production authentication path.
 */
final class AzureTestSupport implements AutoCloseable {
    static final String VAULT_HOST = "envelopecrypt-tests.vault.azure.net";
    static final String KEY = "payments-kek";
    static final String ENCRYPTOR_SECRET = "encryptor-secret-value-1";
    static final String DECRYPTOR_SECRET = "decryptor-secret-value-2";

    final KeyVaultTestDouble vault;
    final Path caPem;
    final String encryptor;
    final String decryptor;
    final String firstVersion;

    AzureTestSupport() throws IOException {
        this(VAULT_HOST);
    }

    /** A double reached under another host name, e.g. localhost (where the challenge check must be turned off). */
    AzureTestSupport(String vaultHost) throws IOException {
        vault = KeyVaultTestDouble.start(vaultHost);
        caPem = vault.writeCaCertificate(Files.createTempFile("kv-double-ca", ".pem"));
        encryptor = vault.registerApp(ENCRYPTOR_SECRET);
        decryptor = vault.registerApp(DECRYPTOR_SECRET);
        resetPermissions();
        firstVersion = vault.createRsaKey(KEY);
    }

    /**
     * The two principals' usual roles (the double, like Azure, denies principals it has no grant for): the encrypting
     * one reads, wraps and signs; the decrypting one reads and unwraps. Tests narrow them to check least privilege.
     */
    void resetPermissions() {
        vault.setPermissions(Map.of(encryptor, java.util.List.of("keys/get", "keys/wrapkey", "keys/sign"),
                decryptor, java.util.List.of("keys/get", "keys/unwrapkey")));
    }

    Map<String, Object> config(String clientId, String secret, Object... more) {
        Map<String, Object> props = new HashMap<>();
        props.put("kek.provider", "azure-keyvault");
        props.put("azure.keyvault.url", vault.vaultUrl());
        props.put("azure.keyvault.key.name", KEY);
        props.put("azure.credential.type", "client-secret");
        props.put("azure.tenant.id", KeyVaultTestDouble.TENANT_ID);
        props.put("azure.client.id", clientId);
        props.put("azure.client.secret", secret);
        props.put("azure.authority.host", vault.authorityHost());
        props.put("azure.ssl.truststore.location", caPem.toString());
        props.put("azure.retry.base.delay.ms", "20");
        props.put("azure.retry.max.delay.ms", "200");
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        return props;
    }

    Map<String, Object> encryptConfig(Object... more) {
        return config(encryptor, ENCRYPTOR_SECRET, more);
    }

    Map<String, Object> decryptConfig(Object... more) {
        return config(decryptor, DECRYPTOR_SECRET, more);
    }

    @Override
    public void close() throws IOException {
        vault.close();
        Files.deleteIfExists(caPem);
    }
}
