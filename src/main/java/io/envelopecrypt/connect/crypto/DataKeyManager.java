package io.envelopecrypt.connect.crypto;

import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The encrypting side's data-key cache: one current data key, replaced after {@code maxRecords}
 * records or {@code maxAgeMillis}, whichever comes first. Only creating a key calls the KEK provider,
 * so the key service sees one wrap per rotation rather than one per record. With a keyring, each data key is
 * wrapped by every member; a key that some members could not wrap (kek.ring.wrap.policy=available) lives at most
 * {@link #INCOMPLETE_KEY_MAX_AGE_MS}, so the missing copies return soon after their vault does. Owns the keyring:
 * closing the manager wipes the current key and closes it.
 */
public final class DataKeyManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataKeyManager.class);

    /** Longest life of a data key that lacks a copy under some keyring member. */
    public static final long INCOMPLETE_KEY_MAX_AGE_MS = 60_000L;

    private final Keyring kek;
    private final long maxRecords;
    private final long maxAgeMillis;
    private final Clock clock;
    private final SecureRandom random;
    private final Object rotationLock = new Object();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong incomplete = new AtomicLong();
    private volatile DataKey current;
    private volatile boolean closed;

    /** A data key with its wrapped form and signature; {@link #release()} it once the record is sealed. */
    public static final class DataKey {
        private final SealingKey key;
        private final List<WrappedKey> copies;
        private final List<WrappedKey> additional;
        private final DataKeySignature signature;
        private final long createdAtMillis;
        private final long maxAgeMillis;
        private final AtomicLong uses = new AtomicLong();

        DataKey(SealingKey key, List<WrappedKey> copies, DataKeySignature signature, long createdAtMillis, long maxAgeMillis) {
            this.key = key;
            // Immutable once, so that every envelope can share it (List.copyOf returns it as is).
            this.copies = List.copyOf(copies);
            this.additional = List.copyOf(copies.subList(1, copies.size()));
            this.signature = signature;
            this.createdAtMillis = createdAtMillis;
            this.maxAgeMillis = maxAgeMillis;
        }

        /** Null unless the provider signs data keys. */
        public DataKeySignature signature() {
            return signature;
        }

        public SealingKey key() {
            return key;
        }

        /** The first wrapped copy. */
        public WrappedKey wrapped() {
            return copies.get(0);
        }

        /** The copies after the first (empty with one KEK): the same list for every record under this key. */
        public List<WrappedKey> additionalCopies() {
            return additional;
        }

        /** Every wrapped copy, one per keyring member that wrapped the key, in ring order. */
        public List<WrappedKey> copies() {
            return copies;
        }

        public void release() {
            key.release();
        }

        /** Counts one more record; false once the key reached its record or age limit. */
        boolean tryUse(long maxRecords, long nowMillis) {
            return nowMillis - createdAtMillis < maxAgeMillis && uses.incrementAndGet() <= maxRecords;
        }
    }

    public DataKeyManager(KeyEncryptionKeyProvider kek, long maxRecords, long maxAgeMillis, Clock clock,
                          SecureRandom random) {
        this(Keyring.of(kek), maxRecords, maxAgeMillis, clock, random);
    }

    public DataKeyManager(Keyring kek, long maxRecords, long maxAgeMillis, Clock clock, SecureRandom random) {
        if (maxRecords < 1 || maxAgeMillis < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.kek = kek;
        this.maxRecords = maxRecords;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
        this.random = random;
    }

    /**
     * A leased data key for one record; {@link DataKey#release() release} it when the record is sealed.
     *
     * @throws io.envelopecrypt.connect.kms.KmsUnavailableException when a new key is due and the key
     *                                                              service is unreachable
     */
    public DataKey acquire() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("the data key manager is closed");
            }
            DataKey key = current;
            if (key != null && key.tryUse(maxRecords, clock.millis()) && key.key.lease()) {
                return key;
            }
            synchronized (rotationLock) {
                if (current == key) {
                    DataKey fresh = newKey();
                    current = fresh;
                    if (key != null) {
                        key.key.retire();
                    }
                }
            }
        }
    }

    private DataKey newKey() {
        byte[] material = new byte[AesGcmKey.KEY_BYTES];
        random.nextBytes(material);
        SealingKey sealing = null;
        try {
            Keyring.Wrapped wrapped = kek.wrap(material);
            sealing = new SealingKey(material, random.nextInt());
            DataKeySignature signature = kek.sign(sealing.commitment());
            long maxAge = wrapped.complete() ? maxAgeMillis : Math.min(maxAgeMillis, INCOMPLETE_KEY_MAX_AGE_MS);
            DataKey key = new DataKey(sealing, wrapped.copies(), signature, clock.millis(), maxAge);
            long n = created.incrementAndGet();
            if (!wrapped.complete()) {
                incomplete.incrementAndGet();
                log.warn("Data key #{} has no copy under keyring member(s) {} (unreachable or refusing; "
                        + "kek.ring.wrap.policy=available): records encrypted under it cannot be decrypted with those "
                        + "members' keys. It is replaced within {} s; add the missing copies later with "
                        + "'envelopecrypt rewrap --add-kek'", n, wrapped.missing(), maxAge / 1000);
            }
            log.debug("Created data key #{} wrapped by {}{}", n, wrapped.copies().get(0).keyId(),
                    signature == null ? "" : ", signed by " + signature.signingKeyId());
            return key;
        } catch (RuntimeException e) {
            if (sealing != null) {
                sealing.retire();
            } else {
                Arrays.fill(material, (byte) 0);
            }
            throw e;
        }
    }

    /** Data keys created so far (each one a wrap call to the KEK provider). */
    public long keysCreated() {
        return created.get();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Data keys made without a copy under every keyring member. */
    public long incompleteKeys() {
        return incomplete.get();
    }

    /** Calls made to a remote key service so far. */
    public long kekRemoteCalls() {
        return kek.remoteCalls();
    }

    @Override
    public void close() {
        closed = true;
        try {
            synchronized (rotationLock) {
                DataKey key = current;
                current = null;
                if (key != null) {
                    key.key.retire();
                }
            }
        } finally {
            kek.close();
        }
    }
}
