package io.envelopecrypt.connect.envelope;

import org.apache.kafka.connect.errors.DataException;

import java.util.Map;

/**
 * Upper bounds on what an envelope carries, the same for writing and reading: a reader refuses anything
 * larger (so malformed input cannot cost memory), and the writer refuses to produce it (so a valid record can
 * never turn into an envelope that every reader rejects). No valid envelope comes near them.
 */
public final class EnvelopeLimits {
    /** Characters in id, eventType, context, keyId, algorithm names, and each metadata key and value. */
    public static final int MAX_STRING_CHARS = 64 * 1024;
    /** Bytes of the compressed payload schema. */
    public static final int MAX_SCHEMA_BYTES = 1024 * 1024;
    public static final int MAX_WRAPPED_KEY_BYTES = 1024;
    public static final int MAX_METADATA_ENTRIES = 1024;
    /** Wrapped copies of the data key in one envelope (a keyring's size). */
    public static final int MAX_WRAPPED_KEYS = 8;

    private EnvelopeLimits() {
    }

    /** Refuses to write a header or payload schema that a reader would refuse; messages never quote values. */
    static void checkWritable(EnvelopeHeader header, byte[] payloadSchema) {
        checkLength("id", header.id());
        checkLength("eventType", header.eventType());
        checkLength("context", header.context());
        Map<String, String> metadata = header.metadata();
        if (metadata != null) {
            if (metadata.size() > MAX_METADATA_ENTRIES) {
                throw new DataException("The envelope metadata has " + metadata.size() + " entries; readers accept at most "
                        + MAX_METADATA_ENTRIES);
            }
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                checkLength("metadata key", e.getKey());
                if (e.getValue() != null && e.getValue().length() > MAX_STRING_CHARS) {
                    throw new DataException("The envelope metadata value for " + EnvelopeOpener.quoted(e.getKey())
                            + " is longer than " + MAX_STRING_CHARS + " characters, which readers refuse; use a shorter source");
                }
            }
        }
        if (payloadSchema != null && payloadSchema.length > MAX_SCHEMA_BYTES) {
            throw new DataException("The record's schema compresses to " + payloadSchema.length + " bytes; readers accept "
                    + "payload schemas of at most " + MAX_SCHEMA_BYTES + " bytes");
        }
    }

    private static void checkLength(String field, String value) {
        if (value != null && value.length() > MAX_STRING_CHARS) {
            throw new DataException("The envelope " + field + " would be " + value.length() + " characters long; readers "
                    + "accept at most " + MAX_STRING_CHARS + ", so choose a shorter source for it");
        }
    }
}
