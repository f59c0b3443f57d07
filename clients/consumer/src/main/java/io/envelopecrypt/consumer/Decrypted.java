package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.envelope.Envelope;

import org.apache.kafka.connect.data.Schema;

/**
 * A decrypted record value with its original Connect schema (null for schemaless values), exactly as the
 * source connector produced it, and the envelope it came from (for its id, timestamp, key id and metadata).
 */
public record Decrypted(Envelope envelope, Schema schema, Object value) {

    /** The value as JSON (Kafka's JsonConverter without schemas; decimals as numbers, times as epoch numbers). */
    public String toJson() {
        return PlaintextJson.toJson(schema, value);
    }

    /** Deliberately leaves the plaintext out. */
    @Override
    public String toString() {
        return "Decrypted[" + envelope + ", schema=" + (schema == null ? "none" : schema.type()) + "]";
    }
}
