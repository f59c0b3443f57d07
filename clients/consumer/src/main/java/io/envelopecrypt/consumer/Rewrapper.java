package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.avro.generic.GenericRecord;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes the wrapped copies of envelopes' data keys without touching their payloads: for key rotation, vault
 * migration and keyrings. It can replace every copy with copies by another KEK or keyring, add copies by further
 * KEKs (e.g. a second region for data written before it existed), and remove copies by KEKs being retired. Each
 * distinct data key is unwrapped and wrapped once; its plaintext is wiped right after. The payload's commitment to
 * its data key is unchanged, and checked against the unwrapped key before anything is wrapped.
 */
public final class Rewrapper implements AutoCloseable {
    private static final int MAX_REMEMBERED = 10_000;

    private final Keyring from;
    private final Keyring to;
    private final boolean keepExisting;
    private final List<String> removedKeyIdPrefixes;
    private final Map<WrappedKey, Rewrapped> rewrapped = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<WrappedKey, Rewrapped> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    /** A data key wrapped anew, with the commitment of the key inside (public). */
    private record Rewrapped(List<WrappedKey> copies, byte[] commitment) {
    }

    private long distinctKeys;

    /** Replaces every copy with one wrapped by {@code to}; takes ownership of both providers. */
    public Rewrapper(KeyEncryptionKeyProvider from, KeyEncryptionKeyProvider to) {
        this(Keyring.of(from), Keyring.of(to), false, List.of());
    }

    /**
     * @param from                 unwraps the current data keys (null when only removing copies)
     * @param to                   wraps them anew (null when only removing copies)
     * @param keepExisting         true: add {@code to}'s copies to those the envelope has; false: replace them
     * @param removedKeyIdPrefixes copies whose keyId starts with one of these are dropped (an envelope always keeps one)
     */
    public Rewrapper(Keyring from, Keyring to, boolean keepExisting, List<String> removedKeyIdPrefixes) {
        if ((from == null) != (to == null) || to == null && removedKeyIdPrefixes.isEmpty()) {
            throw new IllegalArgumentException("re-wrap needs a source and a target keyring, or copies to remove");
        }
        this.from = from;
        this.to = to;
        this.keepExisting = keepExisting;
        this.removedKeyIdPrefixes = List.copyOf(removedKeyIdPrefixes);
    }

    /**
     * The same data key, wrapped by the target keyring, provided it is the key {@code commitment} (the envelope's
     * {@code dataKeyCommitment}) names: a data key that does not match its envelope is never re-wrapped.
     */
    public synchronized WrappedKey rewrap(WrappedKey old, byte[] commitment) {
        return rewrapAll(List.of(old), commitment).get(0);
    }

    private synchronized List<WrappedKey> rewrapAll(List<WrappedKey> copies, byte[] commitment) {
        Rewrapped known = rewrapped.get(copies.get(0));
        if (known != null) {
            checkCommitment(known.commitment(), commitment);
            return known.copies();
        }
        byte[] dataKey = unwrap(copies);
        try {
            byte[] actual = EnvelopeOpener.commitmentOf(dataKey);
            checkCommitment(actual, commitment);
            List<WrappedKey> fresh = to.wrap(dataKey).copies();
            rewrapped.put(copies.get(0), new Rewrapped(fresh, actual));
            distinctKeys++;
            return fresh;
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Unwraps with the source keyring's members in order, failing over when one is unreachable or refuses, as the
     * decrypting engine does: an unreachable member's failure is thrown before any refusal.
     */
    private byte[] unwrap(List<WrappedKey> copies) {
        RuntimeException unavailable = null;
        RuntimeException refused = null;
        for (Keyring.Candidate c : from.candidates(copies)) {
            try {
                return c.member().provider().unwrap(c.copy());
            } catch (KmsUnavailableException e) {
                unavailable = unavailable == null ? from.inRing(c.member(), e) : unavailable;
            } catch (KmsAccessException e) {
                refused = refused == null ? from.inRing(c.member(), e) : refused;
            }
        }
        throw unavailable != null ? unavailable : refused;
    }

    private static void checkCommitment(byte[] actual, byte[] carried) {
        if (carried == null || !MessageDigest.isEqual(actual, carried)) {
            throw new EnvelopeAuthenticationException("The envelope's wrapped data key is not the key its "
                    + "dataKeyCommitment names; it is not re-wrapped");
        }
    }

    /**
     * A copy of the envelope record with its data key's copies changed; the payload is not decrypted. Envelopes of a
     * version, algorithm or format this reader would refuse are refused here too, before their key is unwrapped:
     * rewrap must not re-wrap keys of envelopes that no reader would accept.
     */
    public GenericRecord rewrap(GenericRecord envelope) {
        Envelope parsed = EnvelopeRecords.fromAvro(envelope);
        EnvelopeOpener.check(parsed);
        List<WrappedKey> copies = parsed.wrappedKeys();
        if (to != null) {
            // A source configured to require signed data keys checks them here too; the signature stays valid after
            // re-wrapping, since it covers the data key's commitment, not its wrapping.
            from.verifyDataKey(parsed.signature(), parsed.dataKeyCommitment());
            List<WrappedKey> fresh = rewrapAll(copies, parsed.dataKeyCommitment());
            copies = keepExisting ? merged(copies, fresh) : fresh;
        }
        List<WrappedKey> kept = new ArrayList<>(copies.size());
        for (WrappedKey copy : copies) {
            if (removedKeyIdPrefixes.stream().noneMatch(copy.keyId()::startsWith)) {
                kept.add(copy);
            }
        }
        if (kept.isEmpty()) {
            throw new MalformedEnvelopeException("Removing the copies wrapped by " + removedKeyIdPrefixes + " would leave "
                    + "this envelope with no wrapped data key; it is not changed");
        }
        return EnvelopeRecords.withWrappedKeys(envelope, kept);
    }

    /** The envelope's copies, then the new ones by KEK versions it has no copy from yet. */
    private static List<WrappedKey> merged(List<WrappedKey> existing, List<WrappedKey> added) {
        List<WrappedKey> out = new ArrayList<>(existing);
        for (WrappedKey a : added) {
            if (out.stream().noneMatch(e -> e.keyId().equals(a.keyId()))) {
                out.add(a);
            }
        }
        return out;
    }

    /** Distinct data keys re-wrapped so far (each cost one unwrap and one wrap per target KEK). */
    public synchronized long distinctKeys() {
        return distinctKeys;
    }

    @Override
    public void close() {
        try {
            if (from != null) {
                from.close();
            }
        } finally {
            if (to != null) {
                to.close();
            }
        }
    }
}
