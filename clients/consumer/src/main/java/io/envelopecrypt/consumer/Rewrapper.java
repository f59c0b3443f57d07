package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.avro.generic.GenericRecord;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Re-wraps envelopes' data keys under another key-encryption key (a new key version, another key, another
 * vault) without touching their payloads: for key rotation and vault migration. Each distinct data key is
 * unwrapped and wrapped once; its plaintext is wiped right after.
 */
public final class Rewrapper implements AutoCloseable {
    private static final int MAX_REMEMBERED = 10_000;

    private final KeyEncryptionKeyProvider from;
    private final KeyEncryptionKeyProvider to;
    private final Map<WrappedKey, WrappedKey> rewrapped = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<WrappedKey, WrappedKey> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private long distinctKeys;

    /** Takes ownership of both providers. */
    public Rewrapper(KeyEncryptionKeyProvider from, KeyEncryptionKeyProvider to) {
        this.from = from;
        this.to = to;
    }

    /** The same data key, wrapped by the target KEK. */
    public synchronized WrappedKey rewrap(WrappedKey old) {
        WrappedKey known = rewrapped.get(old);
        if (known != null) {
            return known;
        }
        byte[] dataKey = from.unwrap(old);
        try {
            WrappedKey fresh = to.wrap(dataKey);
            rewrapped.put(old, fresh);
            distinctKeys++;
            return fresh;
        } finally {
            Arrays.fill(dataKey, (byte) 0);
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
        return EnvelopeRecords.withWrappedKey(envelope, rewrap(parsed.wrappedKey()));
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
