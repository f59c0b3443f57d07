package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.errors.DataException;

/**
 * Writes and reads one Connect value in Avro binary. A tree of codecs is compiled once per schema, so
 * the per-record work is a walk over the value with no schema interpretation.
 */
abstract class ValueCodec {
    /** Where in the value this codec sits, for error messages (field names only, never data). */
    final String path;

    ValueCodec(String path) {
        this.path = path;
    }

    abstract void write(Object value, BinaryWriter out);

    abstract Object read(BinaryReader in);

    final DataException mismatch(Object value, String expected) {
        if (value == null) {
            return new DataException(where() + " is required but the value is null");
        }
        return new DataException(where() + " should be " + expected + " but is a " + value.getClass().getName());
    }

    final String where() {
        return path.isEmpty() ? "The value" : "Field '" + path + "'";
    }
}
