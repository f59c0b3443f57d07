package io.envelopecrypt.connect.envelope;

import java.util.Map;

/** The cleartext, authenticated description of a record: where its values come from is configurable. */
public record EnvelopeHeader(String id, long timestamp, String eventType, Map<String, String> metadata) {
}
