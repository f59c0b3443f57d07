package io.envelopecrypt.connect.envelope;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The cleartext, authenticated description of a record: where its values come from is configurable.
 * {@code context} (optional) is what the envelope is bound to, e.g. its topic; see {@code envelope.context}.
 */
public record EnvelopeHeader(String id, long timestamp, String eventType, Map<String, String> metadata, String context) {

    /** A header bound to no context. */
    public EnvelopeHeader(String id, long timestamp, String eventType, Map<String, String> metadata) {
        this(id, timestamp, eventType, metadata, null);
    }

    /** A new envelope id: a time-ordered UUID (RFC 9562 version 7), unique, that sorts by creation time. */
    public static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (System.currentTimeMillis() << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
