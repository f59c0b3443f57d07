package io.envelopecrypt.connect.crypto;

import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.kms.WrappedKey;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decrypting side's cache of unwrapped data keys, bounded in size and age. Keys are looked up by
 * their wrapped form, so each distinct data key costs exactly one unwrap call while it stays cached;
 * concurrent misses for one key wait for one call (a lock per key, so other keys are not held up), and
 * wrapped keys that fail to unwrap are guarded against floods ({@link UnwrapGuard}). Keys past their time to
 * live are wiped by a background sweep too, so a key no record asks for again does not outlive it.
 * Evicted keys are wiped once no record is using them. With a keyring, an envelope's copies are tried in the
 * ring's order, the cache first: an unreachable or refusing member hands over to the next (counted as failovers).
 * Owns the keyring: closing the cache wipes every key and closes it.
 */
public final class UnwrappedKeyCache implements AutoCloseable {
    private final Keyring kek;
    private final int maxEntries;
    private final long ttlMillis;
    private final Clock clock;
    private final Map<WrappedKey, Entry> keys;
    /** One lock per wrapped key being unwrapped: concurrent misses for one key make one call, not several. */
    private final ConcurrentHashMap<WrappedKey, Object> unwrapping = new ConcurrentHashMap<>();
    private final UnwrapGuard guard;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong unwraps = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private final ScheduledFuture<?> sweep;

    /** One daemon thread for every cache's sweep: cheap, and it never keeps a worker from exiting. */
    private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "envelopecrypt-data-key-sweeper");
        t.setDaemon(true);
        return t;
    });

    /** A cached key and when it was unwrapped. */
    private record Entry(AesGcmKey key, long unwrappedAtMillis) {
    }

    public UnwrappedKeyCache(KeyEncryptionKeyProvider kek, int maxEntries, long ttlMillis, Clock clock) {
        this(kek, maxEntries, ttlMillis, 20, clock);
    }

    /** @param failuresPerMinute refusals of unseen wrapped keys allowed per minute (and in a burst) */
    public UnwrappedKeyCache(KeyEncryptionKeyProvider kek, int maxEntries, long ttlMillis, int failuresPerMinute, Clock clock) {
        this(Keyring.of(kek), maxEntries, ttlMillis, failuresPerMinute, clock);
    }

    public UnwrappedKeyCache(Keyring kek, int maxEntries, long ttlMillis, int failuresPerMinute, Clock clock) {
        if (maxEntries < 1 || ttlMillis < 1 || failuresPerMinute < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.kek = kek;
        this.maxEntries = maxEntries;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
        this.guard = new UnwrapGuard(failuresPerMinute, clock.millis());
        long period = Math.min(ttlMillis, 60_000L);
        this.sweep = SWEEPER.scheduleAtFixedRate(this::sweepExpired, period, period, TimeUnit.MILLISECONDS);
        this.keys = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<WrappedKey, Entry> eldest) {
                if (size() > UnwrappedKeyCache.this.maxEntries) {
                    evictions.incrementAndGet();
                    eldest.getValue().key().retire();
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Checks an envelope's data key signature with the provider (which caches what it verified), before the key is
     * unwrapped: a forged data key is refused without an unwrap call.
     */
    public void verifySignature(DataKeySignature signature, byte[] commitment) {
        kek.verifyDataKey(signature, commitment);
    }

    /** A leased data key for {@code wrapped}; release it when the record is opened. */
    public AesGcmKey acquire(WrappedKey wrapped) {
        return acquire(List.of(wrapped));
    }

    /**
     * A leased data key from one of an envelope's wrapped copies; release it when the record is opened. Copies no
     * member may unwrap are ignored (none at all: a {@link KmsAccessException}); members are tried in order. When
     * none succeeds, an unreachable member's failure (retriable) is thrown before any refusal.
     */
    public AesGcmKey acquire(List<WrappedKey> copies) {
        // The cache holds only keys a configured member unwrapped from that very wrapped copy, so a hit needs no
        // check of which member may unwrap it: the common case costs a lookup per copy and nothing else.
        for (WrappedKey copy : copies) {
            AesGcmKey key = cached(copy);
            if (key != null) {
                hits.incrementAndGet();
                return key;
            }
        }
        List<Keyring.Candidate> candidates = kek.candidates(copies);
        if (candidates.size() == 1) {
            return acquire(candidates.get(0));
        }
        RuntimeException unavailable = null;
        RuntimeException refused = null;
        for (Keyring.Candidate c : candidates) {
            try {
                return acquire(c);
            } catch (KmsUnavailableException e) {
                unavailable = unavailable == null ? kek.inRing(c.member(), e) : unavailable;
            } catch (KmsAccessException e) {
                refused = refused == null ? kek.inRing(c.member(), e) : refused;
            }
            failovers.incrementAndGet();
        }
        throw unavailable != null ? unavailable : refused;
    }

    private AesGcmKey acquire(Keyring.Candidate candidate) {
        WrappedKey wrapped = candidate.copy();
        AesGcmKey key = cached(wrapped);
        if (key != null) {
            hits.incrementAndGet();
            return key;
        }
        Object lock = unwrapping.computeIfAbsent(wrapped, k -> new Object());
        try {
            synchronized (lock) {
                key = cached(wrapped);
                if (key != null) {
                    hits.incrementAndGet();
                    return key;
                }
                return unwrap(candidate.member().provider(), wrapped);
            }
        } finally {
            unwrapping.remove(wrapped, lock);
        }
    }

    private AesGcmKey unwrap(KeyEncryptionKeyProvider member, WrappedKey wrapped) {
        guard.beforeUnwrap(wrapped, clock.millis());
        long callsBefore = member.remoteCalls();
        byte[] material;
        try {
            material = member.unwrap(wrapped);
        } catch (KmsAccessException e) {
            guard.refused(wrapped, e, clock.millis(), member.remoteCalls() > callsBefore);
            throw e;
        } finally {
            unwraps.incrementAndGet();
        }
        if (material.length != AesGcmKey.KEY_BYTES) {
            Arrays.fill(material, (byte) 0);
            KmsAccessException e = new KmsAccessException(KmsAccessException.Reason.INVALID_WRAPPED_KEY,
                    "The unwrapped data key has " + material.length + " bytes, expected 32");
            guard.refused(wrapped, e, clock.millis(), true);
            throw e;
        }
        AesGcmKey fresh = new AesGcmKey(material);
        fresh.lease();
        synchronized (keys) {
            keys.put(wrapped, new Entry(fresh, clock.millis()));
        }
        return fresh;
    }

    /** Records refused without a key-service call: wrapped keys refused before, and unseen keys over budget. */
    public long refusalsWithoutCall() {
        return guard.rememberedRefusals() + guard.budgetRefusals();
    }

    private AesGcmKey cached(WrappedKey wrapped) {
        synchronized (keys) {
            Entry entry = keys.get(wrapped);
            if (entry == null) {
                return null;
            }
            if (clock.millis() - entry.unwrappedAtMillis() >= ttlMillis) {
                keys.remove(wrapped);
                evictions.incrementAndGet();
                entry.key().retire();
                return null;
            }
            return entry.key().lease() ? entry.key() : null;
        }
    }

    /** Wipes every key older than the time to live (they are also dropped when next asked for). */
    public void sweepExpired() {
        List<Entry> expired = new ArrayList<>();
        synchronized (keys) {
            long now = clock.millis();
            for (Iterator<Entry> it = keys.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (now - e.unwrappedAtMillis() >= ttlMillis) {
                    it.remove();
                    expired.add(e);
                }
            }
        }
        evictions.addAndGet(expired.size());
        expired.forEach(e -> e.key().retire());
    }

    public long hits() {
        return hits.get();
    }

    /** Unwrap calls made to the KEK provider. */
    public long unwraps() {
        return unwraps.get();
    }

    public long evictions() {
        return evictions.get();
    }

    /** Times a keyring member failed to unwrap and the next one was tried. */
    public long failovers() {
        return failovers.get();
    }

    public int size() {
        synchronized (keys) {
            return keys.size();
        }
    }

    @Override
    public void close() {
        sweep.cancel(false);
        List<Entry> all;
        synchronized (keys) {
            all = new ArrayList<>(keys.values());
            keys.clear();
        }
        try {
            all.forEach(e -> e.key().retire());
        } finally {
            kek.close();
        }
    }

    /** Calls made to a remote key service so far. */
    public long kekRemoteCalls() {
        return kek.remoteCalls();
    }
}
