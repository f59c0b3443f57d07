package io.envelopecrypt.benchmarks;

import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Transform configurations for the two key modes the benchmarks compare: a local development key, and an
 * Azure Key Vault key served by the in-process Key Vault test double over HTTPS (real Azure SDK, real tokens).
 */
public final class Keks implements AutoCloseable {
    public static final String KEY_NAME = "bench-kek";
    public static final String SIGNING_KEY_NAME = "bench-data-key-signing";
    private static final String ENCRYPTOR_SECRET = "bench-encryptor-secret";
    private static final String DECRYPTOR_SECRET = "bench-decryptor-secret";

    private final String localKey;
    private KeyVaultTestDouble vault;
    private Path caPem;
    private String encryptor;
    private String decryptor;

    public Keks() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        localKey = Base64.getEncoder().encodeToString(key);
    }

    /** The test double, started on first use. */
    public synchronized KeyVaultTestDouble vault() {
        if (vault == null) {
            vault = KeyVaultTestDouble.start();
            try {
                caPem = vault.writeCaCertificate(Files.createTempFile("bench-kv-ca", ".pem"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            encryptor = vault.registerApp(ENCRYPTOR_SECRET);
            decryptor = vault.registerApp(DECRYPTOR_SECRET);
            // The double denies principals it has no grant for, as Azure does.
            vault.setPermissions(java.util.Map.of(encryptor, java.util.List.of("keys/get", "keys/wrapkey", "keys/sign"),
                    decryptor, java.util.List.of("keys/get", "keys/unwrapkey")));
            vault.createRsaKey(KEY_NAME);
            vault.createRsaKey(SIGNING_KEY_NAME, 3072, java.util.List.of("sign", "verify"));
        }
        return vault;
    }

    /** The client id of the encrypting (true) or decrypting identity. */
    public String clientId(boolean encrypting) {
        vault();
        return encrypting ? encryptor : decryptor;
    }

    /**
     * Settings for {@code EncryptPayload} ({@code encrypting}) or {@code DecryptPayload}; kek is local, azure, or
     * azure-signed (azure with signed data keys on both sides).
     */
    public Map<String, String> config(String kek, boolean encrypting) {
        Map<String, String> c = new HashMap<>();
        switch (kek) {
            case "local" -> {
                c.put("kek.provider", "local");
                c.put("local.key", localKey);
            }
            case "azure", "azure-signed" -> {
                vault();
                if ("azure-signed".equals(kek)) {
                    c.put("azure.keyvault.signing.key.name", SIGNING_KEY_NAME);
                }
                c.put("kek.provider", "azure-keyvault");
                c.put("azure.keyvault.url", vault.vaultUrl());
                c.put("azure.keyvault.key.name", KEY_NAME);
                c.put("azure.credential.type", "client-secret");
                c.put("azure.tenant.id", KeyVaultTestDouble.TENANT_ID);
                c.put("azure.client.id", encrypting ? encryptor : decryptor);
                c.put("azure.client.secret", encrypting ? ENCRYPTOR_SECRET : DECRYPTOR_SECRET);
                c.put("azure.authority.host", vault.authorityHost());
                c.put("azure.keyvault.challenge.resource.verification", "false"); // the double's host is localhost
                c.put("azure.ssl.truststore.location", caPem.toString());
            }
            default -> throw new IllegalArgumentException("kek must be local, azure or azure-signed, not " + kek);
        }
        return c;
    }

    @Override
    public synchronized void close() {
        if (vault != null) {
            vault.close();
            try {
                Files.deleteIfExists(caPem);
            } catch (IOException ignored) {
                // a temp file
            }
            vault = null;
        }
    }
}
