package io.envelopecrypt.connect.kms.local;

import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Development-only key-encryption keys held in the Connect configuration (or a file next to it).
 *
 * <p>Data keys are wrapped with AES-256 Key Wrap (RFC 3394, JWA {@code A256KW}), whose integrity check
 * detects a wrong key or a tampered wrapped key. Several keys may be configured: the first wraps new data
 * keys, all of them unwrap, so a development key can be rotated without losing old records.
 *
 * <p><b>Not for production:</b> the KEK lives wherever the connector configuration lives.
 */
public final class LocalKeyEncryptionKeyProvider implements KeyEncryptionKeyProvider {

    public static final String WRAP_ALGORITHM = "A256KW";
    public static final String KEY_ID_PREFIX = "local:";
    private static final String CIPHER = "AES/KW/NoPadding";
    private static final Logger log = LoggerFactory.getLogger(LocalKeyEncryptionKeyProvider.class);

    private final String keyName;
    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keysById;
    private volatile boolean closed;

    /**
     * @param keyName a label for the key set, part of every key id
     * @param keys    raw 32-byte AES keys; the first one wraps new data keys
     */
    public LocalKeyEncryptionKeyProvider(String keyName, List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one local key is required");
        }
        this.keyName = keyName;
        this.keysById = new LinkedHashMap<>();
        for (byte[] key : keys) {
            if (key.length != 32) {
                throw new IllegalArgumentException("a local key must be 32 bytes (AES-256), got " + key.length);
            }
            keysById.put(keyId(keyName, key), new SecretKeySpec(key, "AES"));
        }
        this.currentKeyId = keysById.keySet().iterator().next();
        log.warn("LOCAL KEY MODE: data keys are wrapped with a key taken from the connector configuration ({}). "
                + "This is for development only and is NOT SAFE FOR PRODUCTION: anyone who can read the "
                + "configuration can decrypt every record. Use kek.provider=azure-keyvault in production.", currentKeyId);
    }

    /** The key id recorded in envelopes: the key set's name plus a fingerprint that names the exact key. */
    static String keyId(String keyName, byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("envelopecrypt local kek v1".getBytes(StandardCharsets.US_ASCII));
            byte[] digest = sha256.digest(key);
            return KEY_ID_PREFIX + keyName + "/" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        ensureOpen();
        try {
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.WRAP_MODE, keysById.get(currentKeyId));
            byte[] wrapped = cipher.wrap(new SecretKeySpec(dataKey, "AES"));
            return new WrappedKey(currentKeyId, WRAP_ALGORITHM, wrapped);
        } catch (GeneralSecurityException e) {
            throw new KmsAccessException(KmsAccessException.Reason.OTHER,
                    "Local key " + currentKeyId + " could not wrap a data key: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrappedKey) {
        ensureOpen();
        if (!WRAP_ALGORITHM.equals(wrappedKey.algorithm())) {
            throw new KmsAccessException(KmsAccessException.Reason.INVALID_WRAPPED_KEY,
                    "Local keys unwrap only " + WRAP_ALGORITHM + " data keys, the envelope says '"
                            + wrappedKey.algorithm() + "'");
        }
        SecretKeySpec kek = keysById.get(wrappedKey.keyId());
        if (kek == null) {
            throw new KmsAccessException(KmsAccessException.Reason.KEY_NOT_FOUND,
                    "The envelope's data key was wrapped by '" + wrappedKey.keyId()
                            + "', which is not among the configured local keys " + keysById.keySet());
        }
        try {
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.UNWRAP_MODE, kek);
            return cipher.unwrap(wrappedKey.wrapped(), "AES", Cipher.SECRET_KEY).getEncoded();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KmsAccessException(KmsAccessException.Reason.INVALID_WRAPPED_KEY,
                    "Local key " + wrappedKey.keyId() + " rejected the wrapped data key (integrity check failed)");
        }
    }

    @Override
    public boolean canUnwrap(String keyId) {
        return keyId != null && keysById.containsKey(keyId);
    }

    @Override
    public String description() {
        return "local development key " + currentKeyId;
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    String keyName() {
        return keyName;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the local key provider is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        // SecretKeySpec.destroy() is not implemented on every JDK; dropping the references is what we can do.
        keysById.clear();
    }

    @Override
    public String toString() {
        return "LocalKeyEncryptionKeyProvider[" + currentKeyId + "]";
    }
}
