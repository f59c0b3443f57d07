package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A Key Vault test double with one key and two principals (encrypting and decrypting side). */
final class AzureTestSupport implements AutoCloseable {
    static final String KEY = "payments-kek";
    static final String ENCRYPTOR_SECRET = "encryptor-secret-value-1";
    static final String DECRYPTOR_SECRET = "decryptor-secret-value-2";

    final KeyVaultTestDouble vault = KeyVaultTestDouble.start();
    final Path caPem;
    final String encryptor;
    final String decryptor;
    final String firstVersion;

    AzureTestSupport() throws IOException {
        caPem = vault.writeCaCertificate(Files.createTempFile("kv-double-ca", ".pem"));
        encryptor = vault.registerApp(ENCRYPTOR_SECRET);
        decryptor = vault.registerApp(DECRYPTOR_SECRET);
        firstVersion = vault.createRsaKey(KEY);
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
        // The double's challenge names https://vault.azure.net while it listens on localhost.
        props.put("azure.keyvault.challenge.resource.verification", "false");
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
