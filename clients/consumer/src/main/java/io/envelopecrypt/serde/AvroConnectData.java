package io.envelopecrypt.serde;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Avro data as Connect data and back, for the serializers: an application's {@code GenericRecord} (or
 * {@code SpecificRecord}) becomes the Connect value the engine encrypts, exactly as an Avro converter would hand it
 * to {@code EncryptPayload}; a decrypted Connect value becomes a {@code GenericRecord} of the payload's Avro schema.
 *
 * <p>Mapping: records to Structs named after the record's full name; arrays, maps (string keys), the primitives;
 * {@code ["null", T]} unions to optional schemas; enums to strings and fixed to bytes (Connect has neither); the
 * logical types decimal, date, time-millis and timestamp-millis to Connect's Decimal, Date, Time and Timestamp.
 * Other unions, and logical types Connect cannot hold exactly (micros, local timestamps), are refused with a
 * {@link DataException} naming the field, rather than approximated.
 */
final class AvroConnectData {
    /** Connect schemas by Avro schema (identity): an application sends few schemas, and each is converted once. */
    private final Map<org.apache.avro.Schema, Schema> schemas = new IdentityHashMap<>();

    /** The Connect schema and value of an Avro datum (a record, or a primitive Avro can write on its own). */
    synchronized SchemaAndValue toConnect(GenericContainer datum) {
        org.apache.avro.Schema avro = datum.getSchema();
        Schema schema = schemas.get(avro);
        if (schema == null) {
            if (schemas.size() > 1000) {
                schemas.clear();
            }
            schema = schema(avro, "", 0);
            schemas.put(avro, schema);
        }
        return new SchemaAndValue(schema, value(datum, avro, schema, ""));
    }

    private static Schema schema(org.apache.avro.Schema a, String path, int depth) {
        if (depth > 64) {
            throw new DataException("The Avro schema is nested more than 64 levels deep (at " + path + ")");
        }
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            List<org.apache.avro.Schema> branches = a.getTypes();
            if (branches.size() != 2 || branches.stream().noneMatch(b -> b.getType() == org.apache.avro.Schema.Type.NULL)) {
                throw new DataException("The Avro union at " + describe(path) + " has branches other than null and one "
                        + "type; Connect data (and so the envelope) cannot hold it");
            }
            org.apache.avro.Schema inner = branches.get(branches.get(0).getType() == org.apache.avro.Schema.Type.NULL ? 1 : 0);
            return builder(inner, path, depth).optional().build();
        }
        return builder(a, path, depth).build();
    }

    private static SchemaBuilder builder(org.apache.avro.Schema a, String path, int depth) {
        LogicalType logical = a.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal d) {
            return Decimal.builder(d.getScale()).parameter("connect.decimal.precision", Integer.toString(d.getPrecision()));
        }
        if (logical != null) {
            switch (logical.getName()) {
                case "date":
                    return Date.builder();
                case "time-millis":
                    return Time.builder();
                case "timestamp-millis":
                    return Timestamp.builder();
                case "uuid":
                    break; // a string
                default:
                    throw new DataException("The Avro logical type " + logical.getName() + " at " + describe(path)
                            + " has no exact Connect equivalent");
            }
        }
        switch (a.getType()) {
            case RECORD: {
                SchemaBuilder struct = SchemaBuilder.struct().name(a.getFullName());
                if (a.getDoc() != null) {
                    struct.doc(a.getDoc());
                }
                for (org.apache.avro.Schema.Field f : a.getFields()) {
                    struct.field(f.name(), schema(f.schema(), path.isEmpty() ? f.name() : path + "." + f.name(), depth + 1));
                }
                return struct;
            }
            case ARRAY:
                return SchemaBuilder.array(schema(a.getElementType(), path + "[]", depth + 1));
            case MAP:
                return SchemaBuilder.map(Schema.STRING_SCHEMA, schema(a.getValueType(), path + "{}", depth + 1));
            case ENUM:
            case STRING:
                return SchemaBuilder.string();
            case FIXED:
            case BYTES:
                return SchemaBuilder.bytes();
            case INT:
                return SchemaBuilder.int32();
            case LONG:
                return SchemaBuilder.int64();
            case FLOAT:
                return SchemaBuilder.float32();
            case DOUBLE:
                return SchemaBuilder.float64();
            case BOOLEAN:
                return SchemaBuilder.bool();
            default:
                throw new DataException("The Avro type " + a.getType() + " at " + describe(path) + " has no Connect equivalent");
        }
    }

    private static Object value(Object v, org.apache.avro.Schema a, Schema c, String path) {
        if (v == null) {
            if (!c.isOptional()) {
                throw new DataException("The Avro value at " + describe(path) + " is null, but its schema does not allow it");
            }
            return null;
        }
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            List<org.apache.avro.Schema> branches = a.getTypes();
            a = branches.get(branches.get(0).getType() == org.apache.avro.Schema.Type.NULL ? 1 : 0);
        }
        LogicalType logical = a.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal d) {
            if (v instanceof BigDecimal big) {
                return big.setScale(d.getScale());
            }
            return new BigDecimal(new BigInteger(bytes(v)), d.getScale());
        }
        if (logical != null) {
            switch (logical.getName()) {
                case "date":
                    return new java.util.Date((v instanceof LocalDate day ? day.toEpochDay() : ((Number) v).longValue()) * 86_400_000L);
                case "time-millis":
                    return new java.util.Date(v instanceof LocalTime t ? t.toNanoOfDay() / 1_000_000 : ((Number) v).longValue());
                case "timestamp-millis":
                    return new java.util.Date(v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue());
                default:
                    break;
            }
        }
        switch (a.getType()) {
            case RECORD: {
                IndexedRecord r = (IndexedRecord) v;
                Struct s = new Struct(c);
                for (org.apache.avro.Schema.Field f : a.getFields()) {
                    Field field = c.field(f.name());
                    s.put(field, value(r.get(f.pos()), f.schema(), field.schema(), path.isEmpty() ? f.name() : path + "." + f.name()));
                }
                return s;
            }
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                for (Object item : (Iterable<?>) v) {
                    out.add(value(item, a.getElementType(), c.valueSchema(), path + "[]"));
                }
                return out;
            }
            case MAP: {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    out.put(e.getKey().toString(), value(e.getValue(), a.getValueType(), c.valueSchema(), path + "{}"));
                }
                return out;
            }
            case ENUM: // a GenericEnumSymbol or a generated enum: its symbol
            case STRING: // a String or Avro's Utf8
                return v.toString();
            case FIXED:
            case BYTES:
                return bytes(v);
            default:
                return v; // Integer, Long, Float, Double, Boolean, as Connect holds them
        }
    }

    private static byte[] bytes(Object v) {
        if (v instanceof ByteBuffer b) {
            ByteBuffer copy = b.duplicate();
            byte[] out = new byte[copy.remaining()];
            copy.get(out);
            return out;
        }
        if (v instanceof GenericFixed f) {
            return f.bytes().clone();
        }
        return ((byte[]) v).clone();
    }

    /**
     * A decrypted value as Avro data of {@code avroSchema} (the payload's Avro schema, which the engine derives from
     * the Connect schema), as Avro's generic reader makes it: records as {@code GenericData.Record}, strings as
     * {@code Utf8}, bytes as {@code ByteBuffer}, logical types as their underlying values. {@code encoded} is the value's Avro binary
     * encoding with that schema.
     */
    static Object toAvro(byte[] encoded, org.apache.avro.Schema avroSchema) {
        GenericDatumReader<Object> reader = new GenericDatumReader<>(avroSchema, avroSchema, GenericData.get());
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(encoded, null));
        } catch (IOException e) {
            throw new IllegalStateException("decoding from memory failed", e);
        }
    }

    private static String describe(String path) {
        return path.isEmpty() ? "the top level" : "'" + path + "'";
    }
}
