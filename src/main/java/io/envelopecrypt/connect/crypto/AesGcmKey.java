package io.envelopecrypt.connect.crypto;

import io.envelopecrypt.connect.kms.DataKeyStatement;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A 256-bit AES key for GCM with a 96-bit IV and a 128-bit tag appended to the ciphertext (the layout of
 * JCE, .NET {@code AesGcm} with the tag concatenated, Go {@code cipher.AEAD.Seal} and Python {@code AESGCM}).
 * This class only opens; {@link SealingKey} also seals and makes its own IVs.
 *
 * <p>Keys are shared between threads and handed out as leases: {@link #lease()} before use,
 * {@link #release()} after. A key that is rotated out or evicted is {@link #retire() retired} and its bytes
 * are wiped as soon as the last lease is returned, so a wipe can never race an operation in flight. The JCE
 * provider keeps its own expanded copy of the key inside a cipher until that cipher is re-keyed; that copy
 * is out of our reach.
 *
 * <p>Each key has a {@link #commitment()}: GCM alone does not commit to its key (one ciphertext can be made to
 * authenticate under two chosen keys), so envelopes carry this value and readers compare it before decrypting.
 */
public class AesGcmKey implements SecretKey {
    public static final String ALGORITHM = "AES-256-GCM";
    public static final int KEY_BYTES = 32;
    public static final int IV_BYTES = 12;
    public static final int TAG_BYTES = 16;
    public static final int COMMITMENT_BYTES = DataKeyStatement.COMMITMENT_BYTES;
    /** The message of the commitment MAC; changing it changes every envelope's commitment. */
    private static final byte[] COMMITMENT_LABEL = "envelopecrypt data key commitment v2".getBytes(StandardCharsets.US_ASCII);
    private static final int TAG_BITS = TAG_BYTES * 8;
    private static final long serialVersionUID = 1L;
    private static final int DESTROYED = -1;
    /** Cipher.getInstance is the costly part of doing this per record, so ciphers are kept per thread. */
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(AesGcmKey::newCipher);

    private final transient byte[] material;
    /** Number of outstanding leases, or {@link #DESTROYED} once wiped. */
    private final transient AtomicInteger leases = new AtomicInteger();
    private transient volatile boolean retired;
    private final transient byte[] commitment;

    /** Takes ownership of {@code material} (32 bytes): the caller must neither keep nor wipe it. */
    public AesGcmKey(byte[] material) {
        if (material.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256 keys are 32 bytes");
        }
        this.material = material;
        this.commitment = computeCommitment();
    }

    /**
     * HMAC-SHA256 of a fixed label under this key (32 bytes): a public value that only this key produces
     * (finding two keys with one commitment would break SHA-256). It reveals nothing about the key.
     */
    public final byte[] commitment() {
        return commitment.clone();
    }

    /** Compares in constant time. */
    public final boolean commitsTo(byte[] candidate) {
        return candidate != null && MessageDigest.isEqual(commitment, candidate);
    }

    private byte[] computeCommitment() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // This key itself, not a SecretKeySpec: the provider wipes the copy getEncoded() hands it.
            mac.init(this);
            return mac.doFinal(COMMITMENT_LABEL);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decrypts and authenticates ciphertext-with-tag.
     *
     * @throws AEADBadTagException when the ciphertext, IV, associated data or key do not match
     */
    public byte[] open(byte[] iv, byte[] aad, int aadLength, byte[] ciphertext) throws AEADBadTagException {
        Cipher cipher = init(Cipher.DECRYPT_MODE, iv, aad, aadLength);
        try {
            return cipher.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** A thread's cipher, keyed and fed the associated data. */
    final Cipher init(int mode, byte[] iv, byte[] aad, int aadLength) {
        Cipher cipher = CIPHERS.get();
        try {
            cipher.init(mode, this, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad, 0, aadLength);
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM set-up failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Takes a lease; false if the key has already been wiped. */
    public final boolean lease() {
        while (true) {
            int n = leases.get();
            if (n == DESTROYED) {
                return false;
            }
            if (leases.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Returns a lease taken with {@link #lease()}. */
    public final void release() {
        if (leases.decrementAndGet() == 0 && retired) {
            wipeIfIdle();
        }
    }

    /** Marks the key as no longer handed out; it is wiped once no lease is outstanding. */
    public final void retire() {
        retired = true;
        wipeIfIdle();
    }

    private void wipeIfIdle() {
        if (leases.compareAndSet(0, DESTROYED)) {
            Arrays.fill(material, (byte) 0);
        }
    }

    @Override
    public final boolean isDestroyed() {
        return leases.get() == DESTROYED;
    }

    @Override
    public final String getAlgorithm() {
        return "AES";
    }

    @Override
    public final String getFormat() {
        return "RAW";
    }

    /** A copy of the key bytes, for the JCE provider. */
    @Override
    public final byte[] getEncoded() {
        if (isDestroyed()) {
            throw new IllegalStateException("the key has been wiped");
        }
        return material.clone();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + (isDestroyed() ? "[wiped]" : "[]");
    }

    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException("keys are never serialized");
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM", e);
        }
    }
}
