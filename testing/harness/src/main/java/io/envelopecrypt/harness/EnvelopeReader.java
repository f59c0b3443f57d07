package io.envelopecrypt.harness;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads envelopes the way a consumer outside Connect does: Confluent wire format (magic byte 0, 4-byte
 * big-endian schema id, Avro binary), the writer schema fetched from the registry by id, decoded with the
 * plain Avro library. Knows nothing of the plugin's classes.
 */
public final class EnvelopeReader {
    private final SchemaRegistry registry;
    private final Map<Integer, Schema> schemas = new HashMap<>();

    public EnvelopeReader(SchemaRegistry registry) {
        this.registry = registry;
    }

    /** A decoded wire-format value: the schema id and the Avro record. */
    public record Decoded(int schemaId, Schema schema, GenericRecord record) {
        public byte[] bytes(String field) {
            ByteBuffer b = (ByteBuffer) record.get(field);
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }

        /** The plaintext's Avro schema JSON: payloadSchema is raw DEFLATE (RFC 1951). Null when absent. */
        public String payloadSchemaJson() {
            if (record.get("payloadSchema") == null) {
                return null;
            }
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            try {
                inflater.setInput(bytes("payloadSchema"));
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                while (!inflater.finished()) {
                    int n = inflater.inflate(buf);
                    if (n == 0 && inflater.needsInput()) {
                        throw new IllegalStateException("truncated payloadSchema");
                    }
                    out.write(buf, 0, n);
                }
                return out.toString(java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.util.zip.DataFormatException e) {
                throw new IllegalStateException("payloadSchema is not raw DEFLATE", e);
            } finally {
                inflater.end();
            }
        }

        public String string(String field) {
            Object v = record.get(field);
            return v == null ? null : v.toString();
        }
    }

    public static boolean hasConfluentMagicByte(byte[] value) {
        return value != null && value.length >= 5 && value[0] == 0;
    }

    public static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    public Decoded decode(byte[] value) {
        if (!hasConfluentMagicByte(value)) {
            throw new IllegalArgumentException("not in the Confluent wire format");
        }
        int id = schemaId(value);
        Schema schema = schemas.computeIfAbsent(id, i -> new Schema.Parser().parse(registry.schemaById(i)));
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
            GenericRecord record = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IllegalStateException("trailing bytes after the envelope");
            }
            return new Decoded(id, schema, record);
        } catch (IOException e) {
            throw new IllegalStateException("cannot decode an envelope", e);
        }
    }
}
