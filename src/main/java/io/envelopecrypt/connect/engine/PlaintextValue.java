package io.envelopecrypt.connect.engine;

import org.apache.kafka.connect.data.Schema;

/** A decrypted value and its original Connect schema (null for schemaless values). */
public record PlaintextValue(Schema schema, Object value) {

    /** Deliberately leaves the value out. */
    @Override
    public String toString() {
        return "PlaintextValue[schema=" + (schema == null ? "none" : schema.type()) + "]";
    }
}
