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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
        return withWrappedKeys(record, List.of(key));
    }

    /**
     * A copy of {@code record} whose data key is wrapped as {@code copies} (at least one: the first in the envelope's
     * own fields, the others in {@code additionalWrappedKeys}); nothing else changes. A record written before that
     * field existed gets it appended to its schema (optional, default null) when it needs more than one copy.
     */
    public static GenericRecord withWrappedKeys(GenericRecord record, List<WrappedKey> copies) {
        Schema schema = record.getSchema();
        for (String name : new String[] {EnvelopeSchema.KEY_ID, EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM,
                EnvelopeSchema.WRAPPED_DATA_KEY}) {
            if (schema.getField(name) == null) {
                throw new MalformedEnvelopeException("The envelope has no '" + name + "' field");
            }
        }
        boolean hasField = schema.getField(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS) != null;
        Schema target = hasField || copies.size() == 1 ? schema : withAdditionalCopies(schema);
        GenericData.Record copy = new GenericData.Record(target);
        for (Schema.Field f : schema.getFields()) {
            copy.put(f.name(), record.get(f.pos()));
        }
        WrappedKey first = copies.get(0);
        copy.put(EnvelopeSchema.KEY_ID, first.keyId());
        copy.put(EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM, first.algorithm());
        copy.put(EnvelopeSchema.WRAPPED_DATA_KEY, ByteBuffer.wrap(first.wrapped()));
        if (target.getField(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS) != null) {
            Schema arraySchema = nonNull(target.getField(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS).schema());
            List<GenericRecord> more = new ArrayList<>();
            for (WrappedKey k : copies.subList(1, copies.size())) {
                GenericData.Record c = new GenericData.Record(arraySchema.getElementType());
                c.put(EnvelopeSchema.KEY_ID, k.keyId());
                c.put(EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM, k.algorithm());
                c.put(EnvelopeSchema.WRAPPED_DATA_KEY, ByteBuffer.wrap(k.wrapped()));
                more.add(c);
            }
            copy.put(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS, more.isEmpty() ? null : new GenericData.Array<>(arraySchema, more));
        }
        return copy;
    }

    /** The envelope schema with {@code additionalWrappedKeys} appended, as the plugin's AvroConverter writes it. */
    private static Schema withAdditionalCopies(Schema schema) {
        Schema item = Schema.createRecord(EnvelopeSchema.WRAPPED_KEY_RECORD_SUFFIX, null, schema.getNamespace(), false,
                List.of(new Schema.Field(EnvelopeSchema.KEY_ID, Schema.create(Schema.Type.STRING)),
                        new Schema.Field(EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM, Schema.create(Schema.Type.STRING)),
                        new Schema.Field(EnvelopeSchema.WRAPPED_DATA_KEY, Schema.create(Schema.Type.BYTES))));
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS,
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.createArray(item)), null, Schema.Field.NULL_DEFAULT_VALUE));
        Schema out = Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
        schema.getObjectProps().forEach(out::addProp);
        return out;
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        for (Schema branch : s.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                return branch;
            }
        }
        throw new MalformedEnvelopeException("The envelope's '" + EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS + "' field has no type");
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
        if (v instanceof GenericRecord r) {
            Map<Object, Object> out = new HashMap<>();
            for (Schema.Field f : r.getSchema().getFields()) {
                out.put(f.name(), plain(r.get(f.pos())));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(item -> out.add(plain(item)));
            return out;
        }
        return v;
    }
}
