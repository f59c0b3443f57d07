package io.envelopecrypt.connect.kms.azure;

import com.azure.security.keyvault.keys.cryptography.models.SignResult;
import com.azure.security.keyvault.keys.cryptography.models.SignatureAlgorithm;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyVaultKey;

import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.DataKeyStatement;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;
import io.envelopecrypt.connect.kms.KmsUnavailableException;

import org.apache.kafka.common.cache.LRUCache;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

/**
 * Signed data keys with a Key Vault signing key ({@code azure.keyvault.signing.key.name}, RS256). The encrypting
 * side signs each new data key's statement: one {@code getKey} (the current version) and one {@code sign} call per
 * data key. The decrypting side requires a valid signature by a version of that key before it unwraps anything,
 * and verifies locally with the version's public key, fetched once; what it verified is remembered, so a data key
 * costs one verification, not one per record.
 *
 * <p>Versions of the signing key not seen before are looked up at most once per {@link #LOOKUP_INTERVAL_MS}, and
 * versions that failed are remembered: records naming made-up versions cannot turn into Key Vault calls.
 */
final class DataKeySigning {
    /** The shortest interval between two lookups of signing key versions not seen before. */
    static final long LOOKUP_INTERVAL_MS = 10_000;
    private static final int MAX_VERSIONS = 64;
    private static final int MAX_VERIFIED = 4096;

    private final KeyVaultClients clients;
    private final String vaultUrl;
    private final URI vaultUri;
    private final String keyName;
    private final Clock clock;
    /** Public keys of versions looked up; empty for versions that could not be used. */
    private final LRUCache<String, Optional<PublicKey>> versions = new LRUCache<>(MAX_VERSIONS);
    /** Signatures verified, by the commitment they cover. */
    private final LRUCache<ByteBuffer, Verified> verified = new LRUCache<>(MAX_VERIFIED);
    /** The signature verified last: a stream repeats one data key for many records, so this is the usual hit. */
    private volatile Verified last;
    private long lastLookup = Long.MIN_VALUE / 2;

    /** A signature that verified over the statement of {@code commitment}. */
    private record Verified(byte[] commitment, String signingKeyId, byte[] signature) {
        boolean matches(DataKeySignature s, byte[] c) {
            return Arrays.equals(commitment, c) && signingKeyId.equals(s.signingKeyId()) && Arrays.equals(signature, s.signature());
        }
    }

    DataKeySigning(KeyVaultClients clients, String vaultUrl, String keyName, Clock clock) {
        this.clients = clients;
        this.vaultUrl = vaultUrl;
        this.vaultUri = URI.create(vaultUrl);
        this.keyName = keyName;
        this.clock = clock;
    }

    /** Signs the statement of a new data key's commitment with the signing key's current version. */
    DataKeySignature sign(byte[] commitment) {
        KeyVaultKey key = clients.call("getKey", describe(null), c -> c.keyClient.getKey(keyName));
        String version = KeyVersionResolver.versionOf(key);
        KeyVersionResolver.checkUsable(key, describe(version), KeyOperation.SIGN);
        byte[] digest = sha256(DataKeyStatement.of(commitment));
        SignResult result = clients.call("sign", describe(version),
                c -> c.crypto(keyName, version).sign(SignatureAlgorithm.RS256, digest));
        return new DataKeySignature(vaultUrl + "/keys/" + keyName + "/" + version, result.getSignature());
    }

    /**
     * Accepts a signature by a version of the signing key in the configured vault that verifies over the statement
     * of {@code commitment}; anything else is a {@link Reason#SIGNATURE_REJECTED} (a record problem).
     */
    void verify(DataKeySignature signature, byte[] commitment) {
        if (signature == null) {
            throw rejected("The envelope's data key is not signed, but this transform accepts only data keys signed by "
                    + "key '" + keyName + "' (" + AzureKeyVaultConfig.SIGNING_KEY_NAME + ")");
        }
        Verified recent = last;
        if (recent != null && recent.matches(signature, commitment)) {
            return;
        }
        synchronized (verified) {
            Verified known = verified.get(ByteBuffer.wrap(commitment));
            if (known != null && known.matches(signature, commitment)) {
                last = known;
                return;
            }
        }
        KeyVaultKeyId id;
        try {
            id = KeyVaultKeyId.parse(signature.signingKeyId());
        } catch (KmsAccessException e) {
            throw rejected("The envelope's signingKeyId is not a Key Vault key version id");
        }
        if (!id.isIn(vaultUri) || !id.name().equalsIgnoreCase(keyName)) {
            throw rejected("The envelope's data key is signed by key '" + id.name() + "' in vault " + id.vault()
                    + ", not by key '" + keyName + "' in " + vaultUrl);
        }
        PublicKey publicKey = publicKey(id.version());
        if (!verifies(publicKey, DataKeyStatement.of(commitment), signature.signature())) {
            throw rejected("The envelope's data key signature does not verify with key '" + keyName + "' version "
                    + id.version() + ": the data key was not created by an authorized writer");
        }
        Verified fresh = new Verified(commitment.clone(), signature.signingKeyId(), signature.signature().clone());
        synchronized (verified) {
            verified.put(ByteBuffer.wrap(fresh.commitment()), fresh);
        }
        last = fresh;
    }

    private PublicKey publicKey(String version) {
        synchronized (versions) {
            Optional<PublicKey> known = versions.get(version);
            if (known != null && known.isPresent()) {
                return known.get();
            }
            long now = clock.millis();
            if (known != null) {
                throw rejected("Signing key '" + keyName + "' version " + version + " could not be used when looked up "
                        + "(remembered; not sent to Key Vault again)");
            }
            if (now - lastLookup < LOOKUP_INTERVAL_MS) {
                throw rejected("Signing key '" + keyName + "' version " + version + " has not been seen before and another "
                        + "unseen version was looked up less than " + LOOKUP_INTERVAL_MS / 1000 + " s ago; not sent to Key Vault");
            }
            lastLookup = now;
        }
        PublicKey key;
        try {
            KeyVaultKey fetched = clients.call("getKey", describe(version), c -> c.keyClient.getKey(keyName, version));
            KeyVersionResolver.checkUsable(fetched, describe(version), KeyOperation.VERIFY);
            key = fetched.getKey().toRsa(false).getPublic();
        } catch (KmsAccessException e) {
            if (e.reason() != Reason.KEY_NOT_FOUND && e.reason() != Reason.KEY_NOT_USABLE) {
                throw e; // the reader's own permission or credential: a configuration problem
            }
            remember(version, null);
            throw rejected(e.getMessage());
        } catch (KmsUnavailableException e) {
            throw e; // an outage: retried, not remembered
        } catch (RuntimeException e) {
            remember(version, null);
            throw rejected("Signing key " + describe(version) + " has no usable RSA public key ("
                    + e.getClass().getSimpleName() + ")");
        }
        remember(version, key);
        return key;
    }

    private void remember(String version, PublicKey key) {
        synchronized (versions) {
            versions.put(version, Optional.ofNullable(key));
        }
    }

    private static boolean verifies(PublicKey key, byte[] statement, byte[] signature) {
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(key);
            rs256.update(statement);
            return rs256.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private KmsAccessException rejected(String message) {
        return new KmsAccessException(Reason.SIGNATURE_REJECTED, message);
    }

    private String describe(String version) {
        return "signing key '" + keyName + "'" + (version == null ? "" : " version " + version) + " in vault " + vaultUrl;
    }
}
