package io.envelopecrypt.connect.crypto;

import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Cipher;

/**
 * An {@link AesGcmKey} that also encrypts, and makes its own IVs: the deterministic construction of NIST
 * SP 800-38D section 8.2.1, a 32-bit fixed field (random per key) followed by a 64-bit invocation counter.
 * No IV can repeat under one key, however many threads share it, and no random generator runs per record.
 */
public final class SealingKey extends AesGcmKey {
    private static final long serialVersionUID = 1L;

    private final transient int ivFixedField;
    private final transient AtomicLong invocations = new AtomicLong();

    /** The IV and the ciphertext followed by its tag. */
    public record Sealed(byte[] iv, byte[] ciphertext) {
    }

    /**
     * Takes ownership of {@code material} (32 bytes): the caller must neither keep nor wipe it.
     *
     * @param ivFixedField the first 32 bits of every IV under this key; random per key
     */
    public SealingKey(byte[] material, int ivFixedField) {
        super(material);
        this.ivFixedField = ivFixedField;
    }

    /** Encrypts {@code plaintext[offset, offset+length)} under a fresh IV. */
    public Sealed seal(byte[] aad, int aadLength, byte[] plaintext, int offset, int length) {
        byte[] iv = nextIv();
        Cipher cipher = init(Cipher.ENCRYPT_MODE, iv, aad, aadLength);
        try {
            return new Sealed(iv, cipher.doFinal(plaintext, offset, length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** IVs handed out so far. */
    public long invocations() {
        return invocations.get();
    }

    private byte[] nextIv() {
        long n = invocations.getAndIncrement();
        int f = ivFixedField;
        return new byte[] {
            (byte) (f >>> 24), (byte) (f >>> 16), (byte) (f >>> 8), (byte) f,
            (byte) (n >>> 56), (byte) (n >>> 48), (byte) (n >>> 40), (byte) (n >>> 32),
            (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }
}
