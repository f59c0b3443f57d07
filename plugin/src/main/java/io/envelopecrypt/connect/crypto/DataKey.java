package io.envelopecrypt.connect.crypto;

import io.envelopecrypt.connect.kms.WrappedKey;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.SecretKey;

/**
 * A 256-bit AES data key (DEK) together with its wrapped form.
 *
 * <p>Keys are shared between threads and handed out as leases: {@link #lease()} before use,
 * {@link #release()} after. A key that is rotated out or evicted is {@link #retire() retired} and its
 * bytes are wiped as soon as the last lease is returned, so a wipe can never race an encryption in flight.
 * The JCE provider keeps its own expanded copy of the key inside a cipher until that cipher is re-keyed;
 * that copy is out of our reach.
 */
public final class DataKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    private static final int DESTROYED = -1;

    private final transient byte[] material;
    private final transient WrappedKey wrapped;
    private final long createdAtMillis;
    private final transient AtomicLong uses = new AtomicLong();
    /** Number of outstanding leases, or {@link #DESTROYED} once wiped. */
    private final transient AtomicInteger leases = new AtomicInteger();
    private transient volatile boolean retired;
    /** Whether this key encrypts: only then does it hand out IVs. */
    private final transient boolean encrypting;
    private final transient int ivFixedField;
    private final transient AtomicLong ivCounter = new AtomicLong();

    /**
     * A key that only decrypts (an unwrapped data key). Takes ownership of {@code material}: the caller must
     * not keep or wipe it.
     */
    public DataKey(byte[] material, WrappedKey wrapped, long createdAtMillis) {
        this(material, wrapped, createdAtMillis, false, 0);
    }

    /**
     * A key that encrypts, whose IVs start with {@code ivFixedField} (random per key). Takes ownership of
     * {@code material}: the caller must not keep or wipe it.
     */
    public DataKey(byte[] material, WrappedKey wrapped, long createdAtMillis, int ivFixedField) {
        this(material, wrapped, createdAtMillis, true, ivFixedField);
    }

    private DataKey(byte[] material, WrappedKey wrapped, long createdAtMillis, boolean encrypting, int ivFixedField) {
        if (material.length != 32) {
            throw new IllegalArgumentException("data keys are 32 bytes");
        }
        this.material = material;
        this.wrapped = wrapped;
        this.createdAtMillis = createdAtMillis;
        this.encrypting = encrypting;
        this.ivFixedField = ivFixedField;
    }

    /**
     * The next 96-bit GCM IV under this key: the deterministic construction of NIST SP 800-38D section 8.2.1,
     * a 32-bit fixed field (random per key) followed by a 64-bit invocation counter. No IV can repeat under
     * one key, however many threads share it, and no random generator runs per record.
     */
    public byte[] nextIv() {
        if (!encrypting) {
            throw new IllegalStateException("an unwrapped data key only decrypts");
        }
        long n = ivCounter.getAndIncrement();
        return new byte[] {
            (byte) (ivFixedField >>> 24), (byte) (ivFixedField >>> 16), (byte) (ivFixedField >>> 8), (byte) ivFixedField,
            (byte) (n >>> 56), (byte) (n >>> 48), (byte) (n >>> 40), (byte) (n >>> 32),
            (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    public WrappedKey wrapped() {
        return wrapped;
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    /** Counts one more record for this key; false once the key reached its record or age limit. */
    boolean tryUse(long maxRecords, long maxAgeMillis, long nowMillis) {
        return nowMillis - createdAtMillis < maxAgeMillis && uses.incrementAndGet() <= maxRecords;
    }

    long uses() {
        return uses.get();
    }

    /** Takes a lease; false if the key has already been wiped. */
    public boolean lease() {
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
    public void release() {
        if (leases.decrementAndGet() == 0 && retired) {
            wipeIfIdle();
        }
    }

    /** Marks the key as no longer handed out; it is wiped once no lease is outstanding. */
    public void retire() {
        retired = true;
        wipeIfIdle();
    }

    private void wipeIfIdle() {
        if (leases.compareAndSet(0, DESTROYED)) {
            Arrays.fill(material, (byte) 0);
        }
    }

    @Override
    public boolean isDestroyed() {
        return leases.get() == DESTROYED;
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /** A copy of the key bytes, for the JCE provider. */
    @Override
    public byte[] getEncoded() {
        if (isDestroyed()) {
            throw new IllegalStateException("data key has been wiped");
        }
        return material.clone();
    }

    @Override
    public String toString() {
        return "DataKey[" + wrapped.keyId() + (isDestroyed() ? ", wiped]" : "]");
    }

    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException("data keys are never serialized");
    }
}
