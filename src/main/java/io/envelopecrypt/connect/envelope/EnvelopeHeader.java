package io.envelopecrypt.connect.envelope;

import java.util.Map;

/**
 * The cleartext, authenticated description of a record: where its values come from is configurable.
 * {@code context} (optional) is what the envelope is bound to, e.g. its topic; see {@code envelope.context}.
 */
public record EnvelopeHeader(String id, long timestamp, String eventType, Map<String, String> metadata, String context) {

    /** A header bound to no context. */
    public EnvelopeHeader(String id, long timestamp, String eventType, Map<String, String> metadata) {
        this(id, timestamp, eventType, metadata, null);
    }
}
