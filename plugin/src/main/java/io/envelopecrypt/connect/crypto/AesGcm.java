package io.envelopecrypt.connect.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM with a 96-bit IV (see {@link DataKey#nextIv()}) and a 128-bit tag appended to the ciphertext
 * (the layout of JCE, .NET {@code AesGcm} with the tag concatenated, Go {@code cipher.AEAD.Seal},
 * and Python {@code AESGCM}).
 *
 * <p>Ciphers are per thread: {@code Cipher.getInstance} is the costly part of doing this per record.
 */
public final class AesGcm {
    public static final String ALGORITHM = "AES-256-GCM";
    public static final int IV_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final int TAG_BITS = TAG_BYTES * 8;

    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(AesGcm::newCipher);

    /** Encrypts {@code plaintext[offset, offset+length)}; returns ciphertext followed by the tag. */
    public byte[] encrypt(SecretKey key, byte[] iv, byte[] aad, int aadLength, byte[] plaintext, int offset, int length) {
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad, 0, aadLength);
            return cipher.doFinal(plaintext, offset, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decrypts and authenticates ciphertext-with-tag.
     *
     * @throws AEADBadTagException when the ciphertext, IV, associated data or key do not match
     */
    public byte[] decrypt(SecretKey key, byte[] iv, byte[] aad, int aadLength, byte[] ciphertext) throws AEADBadTagException {
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad, 0, aadLength);
            return cipher.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM", e);
        }
    }

}
