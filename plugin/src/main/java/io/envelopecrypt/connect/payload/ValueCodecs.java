package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The codecs for Connect schema types; see {@link PayloadCodec} for how they are assembled. */
final class ValueCodecs {
    static final long MILLIS_PER_DAY = 24L * 60 * 60 * 1000;

    private ValueCodecs() {
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

    static final class Int8 extends ValueCodec {
        Int8(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Byte b)) {
                throw mismatch(value, "INT8 (java.lang.Byte)");
            }
            out.writeInt(b);
        }

        @Override
        Object read(BinaryReader in) {
            int n = in.readInt();
            if (n < Byte.MIN_VALUE || n > Byte.MAX_VALUE) {
                throw new MalformedPayloadException(where() + ": INT8 out of range");
            }
            return (byte) n;
        }
    }

    static final class Int16 extends ValueCodec {
        Int16(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Short s)) {
                throw mismatch(value, "INT16 (java.lang.Short)");
            }
            out.writeInt(s);
        }

        @Override
        Object read(BinaryReader in) {
            int n = in.readInt();
            if (n < Short.MIN_VALUE || n > Short.MAX_VALUE) {
                throw new MalformedPayloadException(where() + ": INT16 out of range");
            }
            return (short) n;
        }
    }

    static final class Int32 extends ValueCodec {
        Int32(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Integer i)) {
                throw mismatch(value, "INT32 (java.lang.Integer)");
            }
            out.writeInt(i);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readInt();
        }
    }

    static final class Int64 extends ValueCodec {
        Int64(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Long l)) {
                throw mismatch(value, "INT64 (java.lang.Long)");
            }
            out.writeLong(l);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readLong();
        }
    }

    static final class Float32 extends ValueCodec {
        Float32(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Float f)) {
                throw mismatch(value, "FLOAT32 (java.lang.Float)");
            }
            out.writeFloat(f);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readFloat();
        }
    }

    static final class Float64 extends ValueCodec {
        Float64(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Double d)) {
                throw mismatch(value, "FLOAT64 (java.lang.Double)");
            }
            out.writeDouble(d);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readDouble();
        }
    }

    static final class Bool extends ValueCodec {
        Bool(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Boolean b)) {
                throw mismatch(value, "BOOLEAN (java.lang.Boolean)");
            }
            out.writeBoolean(b);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readBoolean();
        }
    }

    static final class Str extends ValueCodec {
        Str(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof String s)) {
                throw mismatch(value, "STRING (java.lang.String)");
            }
            out.writeString(s);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readString();
        }
    }

    /** BYTES: accepts byte[] and ByteBuffer (both valid in Connect); always reads back byte[]. */
    static final class Bytes extends ValueCodec {
        Bytes(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (value instanceof byte[] b) {
                out.writeBytes(b);
            } else if (value instanceof ByteBuffer bb) {
                out.writeBytes(bb);
            } else {
                throw mismatch(value, "BYTES (byte[] or java.nio.ByteBuffer)");
            }
        }

        @Override
        Object read(BinaryReader in) {
            return in.readBytes();
        }
    }

    /** Connect Decimal: Avro {@code decimal} (two's-complement big-endian unscaled value), scale from the schema. */
    static final class DecimalCodec extends ValueCodec {
        private final int scale;

        DecimalCodec(String path, int scale) {
            super(path);
            this.scale = scale;
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof BigDecimal d)) {
                throw mismatch(value, "Decimal (java.math.BigDecimal)");
            }
            if (d.scale() != scale) {
                throw new DataException(where() + " is a Decimal with scale " + d.scale()
                        + " but its schema says scale " + scale);
            }
            out.writeDecimalUnscaled(d.unscaledValue());
        }

        @Override
        Object read(BinaryReader in) {
            return in.readDecimal(scale, where());
        }
    }

    /** Connect Date: Avro {@code date}, days since the epoch; the value must be a UTC midnight. */
    static final class DateCodec extends ValueCodec {
        DateCodec(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof java.util.Date d)) {
                throw mismatch(value, "Date (java.util.Date)");
            }
            long millis = d.getTime();
            if (Math.floorMod(millis, MILLIS_PER_DAY) != 0) {
                throw new DataException(where() + " is a Date that is not a UTC midnight");
            }
            long days = Math.floorDiv(millis, MILLIS_PER_DAY);
            if (days < Integer.MIN_VALUE || days > Integer.MAX_VALUE) {
                throw new DataException(where() + " is a Date out of range");
            }
            out.writeInt((int) days);
        }

        @Override
        Object read(BinaryReader in) {
            return new java.util.Date(in.readInt() * MILLIS_PER_DAY);
        }
    }

    /** Connect Time: Avro {@code time-millis}, milliseconds after midnight of 1970-01-01 UTC. */
    static final class TimeCodec extends ValueCodec {
        TimeCodec(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof java.util.Date d)) {
                throw mismatch(value, "Time (java.util.Date)");
            }
            long millis = d.getTime();
            // Same bounds as org.apache.kafka.connect.data.Time.fromLogical (which admits a full day).
            if (millis < 0 || millis > MILLIS_PER_DAY) {
                throw new DataException(where() + " is a Time outside the first day of the epoch");
            }
            out.writeInt((int) millis);
        }

        @Override
        Object read(BinaryReader in) {
            int millis = in.readInt();
            if (millis < 0 || millis > MILLIS_PER_DAY) {
                throw new MalformedPayloadException(where() + ": time-millis out of range");
            }
            return new java.util.Date(millis);
        }
    }

    /** Connect Timestamp: Avro {@code timestamp-millis}. */
    static final class TimestampCodec extends ValueCodec {
        TimestampCodec(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof java.util.Date d)) {
                throw mismatch(value, "Timestamp (java.util.Date)");
            }
            out.writeLong(d.getTime());
        }

        @Override
        Object read(BinaryReader in) {
            return new java.util.Date(in.readLong());
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
            if (actual != schema && !actual.equals(schema)) {
                throw new DataException(where() + " is a Struct whose schema differs from the record's value schema");
            }
            for (int i = 0; i < fields.length; i++) {
                Object fieldValue = hasDefault[i] ? struct.getWithoutDefault(fields[i].name()) : struct.get(fields[i]);
                codecs[i].write(fieldValue, out);
            }
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
