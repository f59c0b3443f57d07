package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.avro.generic.GenericRecord;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Re-wraps envelopes' data keys under another key-encryption key (a new key version, another key, another
 * vault) without touching their payloads: for key rotation and vault migration. Each distinct data key is
 * unwrapped and wrapped once; its plaintext is wiped right after. The payload's commitment to its data key is
 * unchanged, and checked against the unwrapped key before anything is re-wrapped.
 */
public final class Rewrapper implements AutoCloseable {
    private static final int MAX_REMEMBERED = 10_000;

    private final KeyEncryptionKeyProvider from;
    private final KeyEncryptionKeyProvider to;
    private final Map<WrappedKey, Rewrapped> rewrapped = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<WrappedKey, Rewrapped> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    /** A data key wrapped anew, with the commitment of the key inside (public). */
    private record Rewrapped(WrappedKey wrapped, byte[] commitment) {
    }

    private long distinctKeys;

    /** Takes ownership of both providers. */
    public Rewrapper(KeyEncryptionKeyProvider from, KeyEncryptionKeyProvider to) {
        this.from = from;
        this.to = to;
    }

    /**
     * The same data key, wrapped by the target KEK, provided it is the key {@code commitment} (the envelope's
     * {@code dataKeyCommitment}) names: a data key that does not match its envelope is never re-wrapped.
     */
    public synchronized WrappedKey rewrap(WrappedKey old, byte[] commitment) {
        Rewrapped known = rewrapped.get(old);
        if (known != null) {
            checkCommitment(known.commitment(), commitment);
            return known.wrapped();
        }
        byte[] dataKey = from.unwrap(old);
        try {
            byte[] actual = EnvelopeOpener.commitmentOf(dataKey);
            checkCommitment(actual, commitment);
            WrappedKey fresh = to.wrap(dataKey);
            rewrapped.put(old, new Rewrapped(fresh, actual));
            distinctKeys++;
            return fresh;
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static void checkCommitment(byte[] actual, byte[] carried) {
        if (carried == null || !MessageDigest.isEqual(actual, carried)) {
            throw new EnvelopeAuthenticationException("The envelope's wrapped data key is not the key its "
                    + "dataKeyCommitment names; it is not re-wrapped");
        }
    }

    /**
     * A copy of the envelope record with its data key re-wrapped; the payload is not decrypted. Envelopes of a
     * version, algorithm or format this reader would refuse are refused here too, before their key is unwrapped:
     * rewrap must not re-wrap keys of envelopes that no reader would accept.
     */
    public GenericRecord rewrap(GenericRecord envelope) {
        Envelope parsed = EnvelopeRecords.fromAvro(envelope);
        EnvelopeOpener.check(parsed);
        // A source configured to require signed data keys (azure.keyvault.signing.key.name) checks them here too;
        // the signature stays valid after re-wrapping, since it covers the data key's commitment, not its wrapping.
        from.verifyDataKey(parsed.signature(), parsed.dataKeyCommitment());
        return EnvelopeRecords.withWrappedKey(envelope, rewrap(parsed.wrappedKey(), parsed.dataKeyCommitment()));
    }

    /** Distinct data keys re-wrapped so far (each cost one unwrap and one wrap). */
    public synchronized long distinctKeys() {
        return distinctKeys;
    }

    @Override
    public void close() {
        try {
            from.close();
        } finally {
            to.close();
        }
    }
}
