package io.envelopecrypt.connect.payload;

import org.apache.avro.LogicalTypes;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.envelopecrypt.connect.payload.ConnectAvroMapping.DECIMAL_PRECISION_PARAMETER;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.DEFAULT;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.DEFAULT_DECIMAL_PRECISION;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.DOC;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.FIELD_NAME;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.GENERATED_NAMESPACE;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.MAX_DEPTH;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.NAME;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.OPTIONAL;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.PARAMETERS;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.TYPE;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.VERSION;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.decimalScale;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.isPlainStringKey;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.namespace;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.nullSchema;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.primitive;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.sanitizeFullName;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.sanitizeName;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.simpleName;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.withProp;

/** Maps a Connect schema to the Avro schema that travels with the payload. The vocabulary is {@link ConnectAvroMapping}'s. */
final class ConnectToAvro {
    private ConnectToAvro() {
    }

    static org.apache.avro.Schema toAvro(Schema connect) {
        return new ToAvro().convert(connect, "", 0);
    }

    private static final class ToAvro {
        private final Map<Schema, org.apache.avro.Schema> records = new HashMap<>();
        private final Set<String> usedNames = new HashSet<>();
        private int generated;

        org.apache.avro.Schema convert(Schema s, String path, int depth) {
            if (depth > MAX_DEPTH) {
                throw new DataException("The value schema is nested more than " + MAX_DEPTH + " levels deep");
            }
            org.apache.avro.Schema inner = convertInner(s, path, depth);
            boolean nullable = s.isOptional() || s.defaultValue() != null;
            return nullable ? org.apache.avro.Schema.createUnion(nullSchema(), inner) : inner;
        }

        private org.apache.avro.Schema convertInner(Schema s, String path, int depth) {
            if (s.type() == Schema.Type.STRUCT) {
                org.apache.avro.Schema known = records.get(s);
                if (known != null) {
                    return known;
                }
            }
            org.apache.avro.Schema a = switch (s.type()) {
                case INT8 -> withProp(primitive(org.apache.avro.Schema.Type.INT), TYPE, "int8");
                case INT16 -> withProp(primitive(org.apache.avro.Schema.Type.INT), TYPE, "int16");
                case INT32 -> int32(s);
                case INT64 -> int64(s);
                case FLOAT32 -> primitive(org.apache.avro.Schema.Type.FLOAT);
                case FLOAT64 -> primitive(org.apache.avro.Schema.Type.DOUBLE);
                case BOOLEAN -> primitive(org.apache.avro.Schema.Type.BOOLEAN);
                case STRING -> primitive(org.apache.avro.Schema.Type.STRING);
                case BYTES -> bytes(s);
                case ARRAY -> org.apache.avro.Schema.createArray(convert(s.valueSchema(), path + "[]", depth + 1));
                case MAP -> map(s, path, depth);
                case STRUCT -> struct(s, path, depth);
            };
            addConnectProps(a, s, path);
            return a;
        }

        private org.apache.avro.Schema int32(Schema s) {
            org.apache.avro.Schema a = primitive(org.apache.avro.Schema.Type.INT);
            if (Date.LOGICAL_NAME.equals(s.name())) {
                LogicalTypes.date().addToSchema(a);
            } else if (Time.LOGICAL_NAME.equals(s.name())) {
                LogicalTypes.timeMillis().addToSchema(a);
            }
            return a;
        }

        private org.apache.avro.Schema int64(Schema s) {
            org.apache.avro.Schema a = primitive(org.apache.avro.Schema.Type.LONG);
            if (Timestamp.LOGICAL_NAME.equals(s.name())) {
                LogicalTypes.timestampMillis().addToSchema(a);
            }
            return a;
        }

        private org.apache.avro.Schema bytes(Schema s) {
            org.apache.avro.Schema a = primitive(org.apache.avro.Schema.Type.BYTES);
            if (Decimal.LOGICAL_NAME.equals(s.name())) {
                int scale = decimalScale(s);
                int precision = DEFAULT_DECIMAL_PRECISION;
                String p = s.parameters() == null ? null : s.parameters().get(DECIMAL_PRECISION_PARAMETER);
                if (p != null) {
                    try {
                        precision = Integer.parseInt(p);
                    } catch (NumberFormatException e) {
                        precision = DEFAULT_DECIMAL_PRECISION;
                    }
                }
                // Avro's decimal cannot express negative scales; the Connect properties still restore them.
                if (scale >= 0 && precision > 0 && scale <= precision) {
                    LogicalTypes.decimal(precision, scale).addToSchema(a);
                }
            }
            return a;
        }

        private org.apache.avro.Schema map(Schema s, String path, int depth) {
            org.apache.avro.Schema values = convert(s.valueSchema(), path + "{}", depth + 1);
            if (isPlainStringKey(s.keySchema())) {
                return org.apache.avro.Schema.createMap(values);
            }
            org.apache.avro.Schema keys = convert(s.keySchema(), path + "{key}", depth + 1);
            List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
            fields.add(new org.apache.avro.Schema.Field("key", keys, null, (Object) null));
            fields.add(new org.apache.avro.Schema.Field("value", values, null, (Object) null));
            String name = uniqueName(GENERATED_NAMESPACE + ".MapEntry" + (++generated));
            org.apache.avro.Schema entry = org.apache.avro.Schema.createRecord(simpleName(name), null, namespace(name),
                    false, fields);
            return withProp(org.apache.avro.Schema.createArray(entry), TYPE, "map");
        }

        private org.apache.avro.Schema struct(Schema s, String path, int depth) {
            String fullName = s.name() != null ? sanitizeFullName(s.name())
                    : GENERATED_NAMESPACE + ".Struct" + (++generated);
            fullName = uniqueName(fullName);
            org.apache.avro.Schema record = org.apache.avro.Schema.createRecord(simpleName(fullName), s.doc(),
                    namespace(fullName), false);
            records.put(s, record);
            List<org.apache.avro.Schema.Field> fields = new ArrayList<>(s.fields().size());
            Set<String> fieldNames = new HashSet<>();
            for (Field f : s.fields()) {
                String childPath = path.isEmpty() ? f.name() : path + "." + f.name();
                String avroName = sanitizeName(f.name());
                String unique = avroName;
                for (int i = 2; !fieldNames.add(unique); i++) {
                    unique = avroName + "_" + i;
                }
                org.apache.avro.Schema.Field af = new org.apache.avro.Schema.Field(unique,
                        convert(f.schema(), childPath, depth + 1), null, (Object) null);
                if (!unique.equals(f.name())) {
                    af.addProp(FIELD_NAME, f.name());
                }
                fields.add(af);
            }
            record.setFields(fields);
            return record;
        }

        private void addConnectProps(org.apache.avro.Schema a, Schema s, String path) {
            if (s.name() != null) {
                a.addProp(NAME, s.name());
            }
            if (s.version() != null) {
                a.addProp(VERSION, s.version());
            }
            if (s.doc() != null) {
                a.addProp(DOC, s.doc());
            }
            if (s.parameters() != null) {
                a.addProp(PARAMETERS, new LinkedHashMap<>(s.parameters()));
            }
            if (s.defaultValue() != null) {
                if (!s.isOptional()) {
                    a.addProp(OPTIONAL, false);
                }
                BinaryWriter w = new BinaryWriter();
                CodecCompiler.compileInner(a, s, path, 0).write(s.defaultValue(), w);
                a.addProp(DEFAULT, Base64.getEncoder().encodeToString(w.toByteArray()));
            }
        }

        private String uniqueName(String fullName) {
            String candidate = fullName;
            for (int i = 2; !usedNames.add(candidate); i++) {
                candidate = fullName + "_" + i;
            }
            return candidate;
        }
    }
}
