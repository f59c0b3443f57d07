package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** Envelopes as Avro records, the way an {@code AvroConverter} wrote them. */
public final class EnvelopeRecords {
    private EnvelopeRecords() {
    }

    /** Reads and validates an envelope from its Avro record (same checks as {@code DecryptPayload}). */
    public static Envelope fromAvro(GenericRecord record) {
        Map<String, Object> fields = new HashMap<>();
        for (Schema.Field f : record.getSchema().getFields()) {
            fields.put(f.name(), plain(record.get(f.pos())));
        }
        return EnvelopeCodec.read(fields);
    }

    /**
     * A copy of {@code record} whose data key is wrapped by {@code key} instead; every other field, the payload
     * included, is unchanged. The associated data does not cover the wrapped key, so the copy still decrypts.
     */
    public static GenericRecord withWrappedKey(GenericRecord record, WrappedKey key) {
        Schema schema = record.getSchema();
        for (String name : new String[] {EnvelopeSchema.KEY_ID, EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM,
                EnvelopeSchema.WRAPPED_DATA_KEY}) {
            if (schema.getField(name) == null) {
                throw new MalformedEnvelopeException("The envelope has no '" + name + "' field");
            }
        }
        GenericData.Record copy = new GenericData.Record((GenericData.Record) record, false);
        copy.put(EnvelopeSchema.KEY_ID, key.keyId());
        copy.put(EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM, key.algorithm());
        copy.put(EnvelopeSchema.WRAPPED_DATA_KEY, ByteBuffer.wrap(key.wrapped()));
        return copy;
    }

    /** Avro's Utf8 and ByteBuffer as the String and byte[] that {@link EnvelopeCodec} reads. */
    private static Object plain(Object v) {
        if (v instanceof CharSequence s) {
            return s.toString();
        }
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new HashMap<>(m.size() * 2);
            m.forEach((k, val) -> out.put(plain(k), plain(val)));
            return out;
        }
        return v;
    }
}
