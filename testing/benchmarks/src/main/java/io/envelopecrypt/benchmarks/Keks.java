package io.envelopecrypt.benchmarks;

import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Transform configurations for the key modes the benchmarks compare: a local development key, and Azure Key Vault
 * keys served by in-process Key Vault test doubles over HTTPS (real Azure SDK, real tokens), one double per region.
 */
public final class Keks implements AutoCloseable {
    public static final String KEY_NAME = "bench-kek";
    public static final String SIGNING_KEY_NAME = "bench-data-key-signing";
    private static final String ENCRYPTOR_SECRET = "bench-encryptor-secret";
    private static final String DECRYPTOR_SECRET = "bench-decryptor-secret";

    private final String localKey;
    private Region primary;
    private Region secondary;

    /** One Key Vault test double with the benchmark's keys and its two identities. */
    private record Region(KeyVaultTestDouble vault, Path caPem, String encryptor, String decryptor) {
        static Region start() {
            KeyVaultTestDouble vault = KeyVaultTestDouble.start();
            Path caPem;
            try {
                caPem = vault.writeCaCertificate(Files.createTempFile("bench-kv-ca", ".pem"));
            } catch (IOException e) {
                vault.close();
                throw new UncheckedIOException(e);
            }
            String encryptor = vault.registerApp(ENCRYPTOR_SECRET);
            String decryptor = vault.registerApp(DECRYPTOR_SECRET);
            // The double denies principals it has no grant for, as Azure does.
            vault.setPermissions(Map.of(encryptor, List.of("keys/get", "keys/wrapkey", "keys/sign"),
                    decryptor, List.of("keys/get", "keys/unwrapkey")));
            vault.createRsaKey(KEY_NAME);
            vault.createRsaKey(SIGNING_KEY_NAME, 3072, List.of("sign", "verify"));
            return new Region(vault, caPem, encryptor, decryptor);
        }

        /** The settings that reach this region: vault, authority, identity, CA. */
        void putInto(Map<String, String> c, String prefix, boolean encrypting) {
            c.put(prefix + "azure.keyvault.url", vault.vaultUrl());
            c.put(prefix + "azure.client.id", encrypting ? encryptor : decryptor);
            c.put(prefix + "azure.client.secret", encrypting ? ENCRYPTOR_SECRET : DECRYPTOR_SECRET);
            c.put(prefix + "azure.authority.host", vault.authorityHost());
            c.put(prefix + "azure.ssl.truststore.location", caPem.toString());
        }

        void close() {
            vault.close();
            try {
                Files.deleteIfExists(caPem);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    public Keks() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        localKey = Base64.getEncoder().encodeToString(key);
    }

    /** The (primary region's) test double, started on first use. */
    public synchronized KeyVaultTestDouble vault() {
        if (primary == null) {
            primary = Region.start();
        }
        return primary.vault();
    }

    /** The second region's test double, started on first use (keyrings). */
    public synchronized KeyVaultTestDouble secondVault() {
        if (secondary == null) {
            secondary = Region.start();
        }
        return secondary.vault();
    }

    /** The client id of the encrypting (true) or decrypting identity in the primary region. */
    public String clientId(boolean encrypting) {
        vault();
        return encrypting ? primary.encryptor() : primary.decryptor();
    }

    /** The client id of the encrypting (true) or decrypting identity in the second region. */
    public String secondClientId(boolean encrypting) {
        secondVault();
        return encrypting ? secondary.encryptor() : secondary.decryptor();
    }

    /**
     * Settings for {@code EncryptPayload} ({@code encrypting}) or {@code DecryptPayload}; kek is local, azure,
     * azure-signed (azure with signed data keys on both sides) or azure-ring (a keyring of two regions' vaults).
     */
    public Map<String, String> config(String kek, boolean encrypting) {
        Map<String, String> c = new HashMap<>();
        switch (kek) {
            case "local" -> {
                c.put("kek.provider", "local");
                c.put("local.key", localKey);
            }
            case "azure", "azure-signed", "azure-ring" -> {
                vault();
                if ("azure-signed".equals(kek)) {
                    c.put("azure.keyvault.signing.key.name", SIGNING_KEY_NAME);
                }
                c.put("kek.provider", "azure-keyvault");
                c.put("azure.keyvault.key.name", KEY_NAME);
                c.put("azure.credential.type", "client-secret");
                c.put("azure.tenant.id", KeyVaultTestDouble.TENANT_ID);
                c.put("azure.keyvault.challenge.resource.verification", "false"); // the double's host is localhost
                primary.putInto(c, "", encrypting);
                if ("azure-ring".equals(kek)) {
                    secondVault();
                    c.put("kek.ring", "primary,secondary");
                    secondary.putInto(c, "kek.ring.secondary.", encrypting);
                }
            }
            default -> throw new IllegalArgumentException("kek must be local, azure, azure-signed or azure-ring, not " + kek);
        }
        return c;
    }

    @Override
    public synchronized void close() {
        if (primary != null) {
            primary.close();
            primary = null;
        }
        if (secondary != null) {
            secondary.close();
            secondary = null;
        }
    }
}
