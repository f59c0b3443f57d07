package io.envelopecrypt.connect.payload;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values without a Connect schema (JsonConverter with {@code schemas.enable=false}, Maps built by
 * connectors) are written against one fixed, recursive Avro schema, {@code DynamicValue}, whose union
 * records each value's Java type. Decoding therefore gives back the same types: Integer stays Integer,
 * byte[] stays byte[], a Map with Long keys keeps its Long keys.
 *
 * <p>Union branches, in this order (the order is part of the format):
 * null, boolean, int (Integer), long (Long), float (Float), double (Double), bytes (byte[] or ByteBuffer,
 * read back as byte[]), string, array (List), map (Map with only String keys), Int8 (Byte), Int16 (Short),
 * Decimal (BigDecimal), Timestamp (java.util.Date), Entries (Map with other keys).
 */
final class SchemalessCodec extends ValueCodec {
    static final String NAMESPACE = "io.envelopecrypt.schemaless";
    static final Schema DYNAMIC_VALUE = buildSchema();
    private static final int MAX_DEPTH = ConnectAvroMapping.MAX_DEPTH;

    private static final int NULL = 0;
    private static final int BOOLEAN = 1;
    private static final int INT = 2;
    private static final int LONG = 3;
    private static final int FLOAT = 4;
    private static final int DOUBLE = 5;
    private static final int BYTES = 6;
    private static final int STRING = 7;
    private static final int ARRAY = 8;
    private static final int MAP = 9;
    private static final int INT8 = 10;
    private static final int INT16 = 11;
    private static final int DECIMAL = 12;
    private static final int TIMESTAMP = 13;
    private static final int ENTRIES = 14;
    private static final int BRANCHES = 15;

    SchemalessCodec() {
        super("");
    }

    private static Schema buildSchema() {
        Schema dynamicValue = Schema.createRecord("DynamicValue",
                "A value without a Connect schema; the union branch records its Java type.", NAMESPACE, false);
        Schema int8 = wrapper("Int8", "java.lang.Byte", Schema.create(Schema.Type.INT));
        Schema int16 = wrapper("Int16", "java.lang.Short", Schema.create(Schema.Type.INT));
        Schema decimal = Schema.createRecord("Decimal", "java.math.BigDecimal", NAMESPACE, false, List.of(
                new Schema.Field("unscaled", Schema.create(Schema.Type.BYTES),
                        "two's-complement big-endian unscaled value", (Object) null),
                new Schema.Field("scale", Schema.create(Schema.Type.INT), null, (Object) null)));
        Schema millis = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema timestamp = wrapper("Timestamp", "java.util.Date", millis);
        Schema entry = Schema.createRecord("Entry", null, NAMESPACE, false, List.of(
                new Schema.Field("key", dynamicValue, null, (Object) null),
                new Schema.Field("value", dynamicValue, null, (Object) null)));
        Schema entries = Schema.createRecord("Entries", "java.util.Map with keys that are not all strings",
                NAMESPACE, false, List.of(new Schema.Field("entries", Schema.createArray(entry), null, (Object) null)));
        Schema union = Schema.createUnion(
                Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.BOOLEAN), Schema.create(Schema.Type.INT),
                Schema.create(Schema.Type.LONG), Schema.create(Schema.Type.FLOAT), Schema.create(Schema.Type.DOUBLE),
                Schema.create(Schema.Type.BYTES), Schema.create(Schema.Type.STRING), Schema.createArray(dynamicValue),
                Schema.createMap(dynamicValue), int8, int16, decimal, timestamp, entries);
        dynamicValue.setFields(List.of(new Schema.Field("value", union, null, (Object) null)));
        return dynamicValue;
    }

    private static Schema wrapper(String name, String doc, Schema value) {
        return Schema.createRecord(name, doc, NAMESPACE, false,
                List.of(new Schema.Field("value", value, null, (Object) null)));
    }

    @Override
    void write(Object value, BinaryWriter out) {
        write(value, out, 0);
    }

    private void write(Object value, BinaryWriter out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new DataException("The schemaless value is nested more than " + MAX_DEPTH
                    + " levels deep (or contains itself)");
        }
        if (value == null) {
            out.writeIndex(NULL);
        } else if (value instanceof String s) {
            out.writeIndex(STRING);
            out.writeString(s);
        } else if (value instanceof Long l) {
            out.writeIndex(LONG);
            out.writeLong(l);
        } else if (value instanceof Integer i) {
            out.writeIndex(INT);
            out.writeInt(i);
        } else if (value instanceof Double d) {
            out.writeIndex(DOUBLE);
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeIndex(BOOLEAN);
            out.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
            writeMap(map, out, depth);
        } else if (value instanceof List<?> list) {
            out.writeIndex(ARRAY);
            if (!list.isEmpty()) {
                out.writeLong(list.size());
                for (Object element : list) {
                    write(element, out, depth + 1);
                }
            }
            out.writeLong(0);
        } else if (value instanceof Float f) {
            out.writeIndex(FLOAT);
            out.writeFloat(f);
        } else if (value instanceof byte[] bytes) {
            out.writeIndex(BYTES);
            out.writeBytes(bytes);
        } else if (value instanceof ByteBuffer buffer) {
            out.writeIndex(BYTES);
            out.writeBytes(buffer);
        } else if (value instanceof Byte b) {
            out.writeIndex(INT8);
            out.writeInt(b);
        } else if (value instanceof Short s) {
            out.writeIndex(INT16);
            out.writeInt(s);
        } else if (value instanceof BigDecimal d) {
            out.writeIndex(DECIMAL);
            out.writeBytes(d.unscaledValue().toByteArray());
            out.writeInt(d.scale());
        } else if (value instanceof java.util.Date d) {
            out.writeIndex(TIMESTAMP);
            out.writeLong(d.getTime());
        } else if (value instanceof Struct) {
            throw new DataException("A schemaless value contains a Struct; a Struct needs a value schema. "
                    + "Give the record a value schema, or convert the Struct to a Map first");
        } else {
            throw new DataException("A schemaless value contains a " + value.getClass().getName()
                    + ", which is not a Connect value type");
        }
    }

    private void writeMap(Map<?, ?> map, BinaryWriter out, int depth) {
        boolean stringKeys = true;
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                stringKeys = false;
                break;
            }
        }
        if (stringKeys) {
            out.writeIndex(MAP);
            if (!map.isEmpty()) {
                out.writeLong(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.writeString((String) e.getKey());
                    write(e.getValue(), out, depth + 1);
                }
            }
            out.writeLong(0);
        } else {
            out.writeIndex(ENTRIES);
            out.writeLong(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                write(e.getKey(), out, depth + 1);
                write(e.getValue(), out, depth + 1);
            }
            out.writeLong(0);
        }
    }

    @Override
    Object read(BinaryReader in) {
        return read(in, 0);
    }

    private Object read(BinaryReader in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedPayloadException("The schemaless payload is nested too deeply");
        }
        switch (in.readIndex(BRANCHES)) {
            case NULL:
                return null;
            case BOOLEAN:
                return in.readBoolean();
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case FLOAT:
                return in.readFloat();
            case DOUBLE:
                return in.readDouble();
            case BYTES:
                return in.readBytes();
            case STRING:
                return in.readString();
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                for (long n = in.readBlockCount(); n != 0; n = in.readBlockCount()) {
                    for (long i = 0; i < n; i++) {
                        list.add(read(in, depth + 1));
                    }
                }
                return list;
            }
            case MAP: {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (long n = in.readBlockCount(); n != 0; n = in.readBlockCount()) {
                    for (long i = 0; i < n; i++) {
                        String key = in.readString();
                        map.put(key, read(in, depth + 1));
                    }
                }
                return map;
            }
            case INT8: {
                int n = in.readInt();
                if (n < Byte.MIN_VALUE || n > Byte.MAX_VALUE) {
                    throw new MalformedPayloadException("Int8 out of range");
                }
                return (byte) n;
            }
            case INT16: {
                int n = in.readInt();
                if (n < Short.MIN_VALUE || n > Short.MAX_VALUE) {
                    throw new MalformedPayloadException("Int16 out of range");
                }
                return (short) n;
            }
            case DECIMAL: {
                byte[] unscaled = in.readBytes();
                int scale = in.readInt();
                if (unscaled.length == 0) {
                    throw new MalformedPayloadException("empty decimal");
                }
                return new BigDecimal(new BigInteger(unscaled), scale);
            }
            case TIMESTAMP:
                return new java.util.Date(in.readLong());
            case ENTRIES: {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (long n = in.readBlockCount(); n != 0; n = in.readBlockCount()) {
                    for (long i = 0; i < n; i++) {
                        Object key = read(in, depth + 1);
                        map.put(key, read(in, depth + 1));
                    }
                }
                return map;
            }
            default:
                throw new MalformedPayloadException("union branch index out of range");
        }
    }
}
