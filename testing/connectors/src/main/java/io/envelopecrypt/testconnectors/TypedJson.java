package io.envelopecrypt.testconnectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON rendering of Connect values that keeps what JsonConverter loses: Java types of schemaless values
 * (Integer and Long both become numbers there) and raw nulls in struct fields that have defaults
 * (JsonConverter writes the default). Each value is a two-element array {@code [type, value]}; structs are
 * {@code ["struct", [[field, value], ...]]} in schema order. Used by the recording sink and by tests to
 * compare exactly what a sink received.
 */
public final class TypedJson {
    private TypedJson() {
    }

    public static Object encode(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String) {
            return List.of("string", v);
        }
        if (v instanceof Long) {
            return List.of("int64", v);
        }
        if (v instanceof Integer) {
            return List.of("int32", v);
        }
        if (v instanceof Short) {
            return List.of("int16", v);
        }
        if (v instanceof Byte) {
            return List.of("int8", v);
        }
        if (v instanceof Double d) {
            return List.of("float64", Double.toString(d));
        }
        if (v instanceof Float f) {
            return List.of("float32", Float.toString(f));
        }
        if (v instanceof Boolean) {
            return List.of("boolean", v);
        }
        if (v instanceof BigDecimal d) {
            return List.of("decimal", d.toString());
        }
        if (v instanceof java.util.Date d) {
            return List.of("date", d.getTime());
        }
        if (v instanceof byte[] b) {
            return List.of("bytes", Base64.getEncoder().encodeToString(b));
        }
        if (v instanceof ByteBuffer bb) {
            byte[] b = new byte[bb.remaining()];
            bb.duplicate().get(b);
            return List.of("bytes", Base64.getEncoder().encodeToString(b));
        }
        if (v instanceof Struct s) {
            List<Object> fields = new ArrayList<>();
            for (Field f : s.schema().fields()) {
                fields.add(Arrays.asList(f.name(), encode(s.getWithoutDefault(f.name()))));
            }
            return List.of("struct", fields);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(encode(e)));
            return List.of("array", out);
        }
        if (v instanceof Map<?, ?> m) {
            List<Object> entries = new ArrayList<>();
            m.forEach((k, val) -> entries.add(Arrays.asList(encode(k), encode(val))));
            return List.of("map", entries);
        }
        return List.of("unsupported:" + v.getClass().getName(), String.valueOf(v));
    }

    /** Rebuilds a value; {@code schema} is needed for structs and may be null for schemaless values. */
    public static Object decode(JsonNode n, Schema schema) {
        if (n == null || n.isNull()) {
            return null;
        }
        String type = n.get(0).asText();
        JsonNode v = n.get(1);
        switch (type) {
            case "string":
                return v.asText();
            case "int64":
                return v.asLong();
            case "int32":
                return v.asInt();
            case "int16":
                return (short) v.asInt();
            case "int8":
                return (byte) v.asInt();
            case "float64":
                return Double.valueOf(v.asText());
            case "float32":
                return Float.valueOf(v.asText());
            case "boolean":
                return v.asBoolean();
            case "decimal":
                return new BigDecimal(v.asText());
            case "date":
                return new java.util.Date(v.asLong());
            case "bytes":
                return Base64.getDecoder().decode(v.asText());
            case "struct": {
                Struct s = new Struct(schema);
                for (JsonNode f : v) {
                    Field field = schema.field(f.get(0).asText());
                    Object fv = decode(f.get(1), field.schema());
                    if (fv != null) {
                        s.put(field, fv);
                    }
                }
                return s;
            }
            case "array": {
                List<Object> out = new ArrayList<>();
                v.forEach(e -> out.add(decode(e, schema == null ? null : schema.valueSchema())));
                return out;
            }
            case "map": {
                Map<Object, Object> out = new LinkedHashMap<>();
                v.forEach(e -> out.put(decode(e.get(0), schema == null ? null : schema.keySchema()),
                        decode(e.get(1), schema == null ? null : schema.valueSchema())));
                return out;
            }
            default:
                throw new IllegalArgumentException("unknown type " + type);
        }
    }
}
