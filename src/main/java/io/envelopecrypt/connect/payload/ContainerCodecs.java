package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The codecs that hold other values: optional values, arrays, maps and Structs. See {@link PayloadCodec} for how they are assembled. */
final class ContainerCodecs {
    private ContainerCodecs() {
    }

    /** Avro union {@code ["null", T]}: optional values, and required values that have a default. */
    static final class Nullable extends ValueCodec {
        private final ValueCodec inner;

        Nullable(ValueCodec inner) {
            super(inner.path);
            this.inner = inner;
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (value == null) {
                out.writeIndex(0);
            } else {
                out.writeIndex(1);
                inner.write(value, out);
            }
        }

        @Override
        Object read(BinaryReader in) {
            return in.readIndex(2) == 0 ? null : inner.read(in);
        }
    }

    static final class ArrayCodec extends ValueCodec {
        private final ValueCodec item;

        ArrayCodec(String path, ValueCodec item) {
            super(path);
            this.item = item;
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof List<?> list)) {
                throw mismatch(value, "ARRAY (java.util.List)");
            }
            if (!list.isEmpty()) {
                out.writeLong(list.size());
                for (Object element : list) {
                    item.write(element, out);
                }
            }
            out.writeLong(0);
        }

        @Override
        Object read(BinaryReader in) {
            List<Object> list = new ArrayList<>();
            for (long n = in.readBlockCount(); n != 0; n = in.readBlockCount()) {
                for (long i = 0; i < n; i++) {
                    list.add(item.read(in));
                }
            }
            return list;
        }
    }

    /** MAP with plain required STRING keys: an Avro map. */
    static final class StringMapCodec extends ValueCodec {
        private final ValueCodec value;

        StringMapCodec(String path, ValueCodec value) {
            super(path);
            this.value = value;
        }

        @Override
        void write(Object v, BinaryWriter out) {
            if (!(v instanceof Map<?, ?> map)) {
                throw mismatch(v, "MAP (java.util.Map)");
            }
            if (!map.isEmpty()) {
                out.writeLong(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new DataException(where() + " is a map with STRING keys but has a key of type "
                                + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                    }
                    out.writeString(key);
                    value.write(e.getValue(), out);
                }
            }
            out.writeLong(0);
        }

        @Override
        Object read(BinaryReader in) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (long n = in.readBlockCount(); n != 0; n = in.readBlockCount()) {
                for (long i = 0; i < n; i++) {
                    String key = in.readString();
                    map.put(key, value.read(in));
                }
            }
            return map;
        }
    }

    /** MAP with any other key schema: an Avro array of {key, value} records. */
    static final class EntryMapCodec extends ValueCodec {
        private final ValueCodec key;
        private final ValueCodec value;

        EntryMapCodec(String path, ValueCodec key, ValueCodec value) {
            super(path);
            this.key = key;
            this.value = value;
        }

        @Override
        void write(Object v, BinaryWriter out) {
            if (!(v instanceof Map<?, ?> map)) {
                throw mismatch(v, "MAP (java.util.Map)");
            }
            if (!map.isEmpty()) {
                out.writeLong(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    key.write(e.getKey(), out);
                    value.write(e.getValue(), out);
                }
            }
            out.writeLong(0);
        }

        @Override
        Object read(BinaryReader in) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (long n = in.readBlockCount(); n != 0; n = in.readBlockCount()) {
                for (long i = 0; i < n; i++) {
                    Object k = key.read(in);
                    map.put(k, value.read(in));
                }
            }
            return map;
        }
    }

    static final class StructCodec extends ValueCodec {
        private final Schema schema;
        private final Field[] fields;
        private final ValueCodec[] codecs;
        /** Fields with a default: {@code Struct.get} would substitute it for null, so read them raw. */
        private final boolean[] hasDefault;

        StructCodec(String path, Schema schema, ValueCodec[] codecs) {
            super(path);
            this.schema = schema;
            this.fields = schema.fields().toArray(new Field[0]);
            this.codecs = codecs;
            this.hasDefault = new boolean[fields.length];
            for (int i = 0; i < fields.length; i++) {
                hasDefault[i] = fields[i].schema().defaultValue() != null;
            }
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Struct struct)) {
                throw mismatch(value, "STRUCT (org.apache.kafka.connect.data.Struct)");
            }
            Schema actual = struct.schema();
            if (actual != schema && !sameStruct(actual, schema)) {
                throw new DataException(where() + " is a Struct whose schema differs from the record's value schema");
            }
            for (int i = 0; i < fields.length; i++) {
                Object fieldValue = hasDefault[i] ? struct.getWithoutDefault(fields[i].name()) : struct.get(fields[i]);
                codecs[i].write(fieldValue, out);
            }
        }

        /**
         * The same Struct type, whatever the two schemas say about their own default, doc or optionality: a
         * field's default Struct is built against the schema before {@code defaultValue()} (AvroData does so),
         * and a value may come from the same schema made optional.
         */
        static boolean sameStruct(Schema actual, Schema expected) {
            return actual.equals(expected)
                    || Objects.equals(actual.name(), expected.name()) && Objects.equals(actual.version(), expected.version())
                    && Objects.equals(actual.parameters(), expected.parameters()) && actual.fields().equals(expected.fields());
        }

        @Override
        Object read(BinaryReader in) {
            Struct struct = new Struct(schema);
            // The codecs were compiled from this schema, so what they read is valid for it.
            Object[] slots = TrustedStructs.slots(struct);
            for (int i = 0; i < fields.length; i++) {
                Object v = codecs[i].read(in);
                if (v != null) {
                    TrustedStructs.put(struct, slots, fields[i], v);
                }
            }
            return struct;
        }
    }
}
