package io.envelopecrypt.connect.payload;

import org.apache.avro.LogicalTypes;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
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
import java.util.regex.Pattern;

/**
 * Maps a Connect schema to an Avro schema that carries everything needed to rebuild the Connect schema
 * exactly, and back; and compiles the pair into a {@link ValueCodec}.
 *
 * <p>Avro cannot say everything a Connect schema says, so these properties fill the gaps (the same
 * {@code connect.*} vocabulary that Confluent's AvroConverter uses, where it has a term):
 * <ul>
 *   <li>{@code connect.name}, {@code connect.version}, {@code connect.doc}, {@code connect.parameters}:
 *       the Connect schema's own attributes (Avro names are sanitized; this keeps the original).</li>
 *   <li>{@code connect.type}: {@code int8}/{@code int16} on Avro ints, {@code map} on the array of
 *       key/value records used for maps whose keys are not plain strings.</li>
 *   <li>{@code connect.default}: the default value, base64 of its Avro binary encoding.</li>
 *   <li>{@code connect.optional: false}: a required schema with a default, written as a nullable union so
 *       that a null value (for which Connect substitutes the default) survives unchanged.</li>
 *   <li>{@code connect.field.name} on a field: the original field name when it is not a valid Avro name.</li>
 * </ul>
 * Optional schemas become {@code ["null", T]}. Date, Time, Timestamp and Decimal also carry the standard
 * Avro logical types, so generic Avro readers see them as dates, times and decimals.
 */
final class ConnectAvroMapping {
    static final String NAME = "connect.name";
    static final String VERSION = "connect.version";
    static final String DOC = "connect.doc";
    static final String PARAMETERS = "connect.parameters";
    static final String DEFAULT = "connect.default";
    static final String TYPE = "connect.type";
    static final String OPTIONAL = "connect.optional";
    static final String FIELD_NAME = "connect.field.name";
    static final String GENERATED_NAMESPACE = "io.envelopecrypt.connect.generated";
    static final String DECIMAL_PRECISION_PARAMETER = "connect.decimal.precision";
    static final int DEFAULT_DECIMAL_PRECISION = 64;
    static final int MAX_DEPTH = 256;

    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> RESERVED = Set.of("null", "boolean", "int", "long", "float", "double",
            "bytes", "string", "record", "enum", "array", "map", "union", "fixed");

    private ConnectAvroMapping() {
    }

    // ---------------------------------------------------------------- Connect -> Avro

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
                compileInner(a, s, path, 0).write(s.defaultValue(), w);
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

    static boolean isPlainStringKey(Schema key) {
        return key.type() == Schema.Type.STRING && !key.isOptional() && key.name() == null
                && key.version() == null && key.doc() == null && key.parameters() == null
                && key.defaultValue() == null;
    }

    private static org.apache.avro.Schema nullSchema() {
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL);
    }

    private static org.apache.avro.Schema primitive(org.apache.avro.Schema.Type type) {
        return org.apache.avro.Schema.create(type);
    }

    private static org.apache.avro.Schema withProp(org.apache.avro.Schema a, String key, Object value) {
        a.addProp(key, value);
        return a;
    }

    static String sanitizeName(String name) {
        if (AVRO_NAME.matcher(name).matches() && !RESERVED.contains(name)) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c < 0x80 && (Character.isLetterOrDigit(c) || c == '_');
            sb.append(ok ? c : '_');
        }
        if (sb.length() == 0 || Character.isDigit(sb.charAt(0)) || RESERVED.contains(sb.toString())) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    static String sanitizeFullName(String name) {
        String[] parts = name.split("\\.", -1);
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(sanitizeName(part));
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }

    private static String simpleName(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? fullName : fullName.substring(dot + 1);
    }

    private static String namespace(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? null : fullName.substring(0, dot);
    }

    static int decimalScale(Schema s) {
        String scale = s.parameters() == null ? null : s.parameters().get(Decimal.SCALE_FIELD);
        if (scale == null) {
            throw new DataException("Decimal schema without a '" + Decimal.SCALE_FIELD + "' parameter");
        }
        try {
            return Integer.parseInt(scale);
        } catch (NumberFormatException e) {
            throw new DataException("Decimal schema with a non-numeric scale parameter");
        }
    }

    // ---------------------------------------------------------------- Avro -> Connect

    static Schema toConnect(org.apache.avro.Schema avro) {
        return toConnect(avro, "", 0);
    }

    private static Schema toConnect(org.apache.avro.Schema a, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedPayloadException("The payload schema is nested too deeply");
        }
        org.apache.avro.Schema inner = a;
        boolean nullable = false;
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            inner = nonNullBranch(a);
            nullable = true;
        }
        SchemaBuilder b = builderFor(inner, path, depth);
        Object name = inner.getObjectProp(NAME);
        if (name != null) {
            b.name(asString(name, NAME));
        }
        Object version = inner.getObjectProp(VERSION);
        if (version != null) {
            if (!(version instanceof Integer v)) {
                throw new MalformedPayloadException("'" + VERSION + "' is not an integer");
            }
            b.version(v);
        }
        Object doc = inner.getObjectProp(DOC);
        if (doc != null) {
            b.doc(asString(doc, DOC));
        }
        Object parameters = inner.getObjectProp(PARAMETERS);
        if (parameters != null) {
            if (!(parameters instanceof Map<?, ?> map)) {
                throw new MalformedPayloadException("'" + PARAMETERS + "' is not an object");
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                params.put(String.valueOf(e.getKey()), asString(e.getValue(), PARAMETERS));
            }
            b.parameters(params);
        }
        if (nullable && !Boolean.FALSE.equals(inner.getObjectProp(OPTIONAL))) {
            b.optional();
        }
        Object dflt = inner.getObjectProp(DEFAULT);
        if (dflt != null) {
            byte[] encoded;
            try {
                encoded = Base64.getDecoder().decode(asString(dflt, DEFAULT));
            } catch (IllegalArgumentException e) {
                throw new MalformedPayloadException("'" + DEFAULT + "' is not base64");
            }
            Schema withoutDefault = b.build();
            BinaryReader in = new BinaryReader(encoded);
            Object value = compileInner(inner, withoutDefault, path, 0).read(in);
            if (!in.atEnd()) {
                throw new MalformedPayloadException("'" + DEFAULT + "' has trailing bytes");
            }
            try {
                b.defaultValue(value);
            } catch (RuntimeException e) {
                throw new MalformedPayloadException("'" + DEFAULT + "' does not fit its schema");
            }
        } else if (nullable && Boolean.FALSE.equals(inner.getObjectProp(OPTIONAL))) {
            throw new MalformedPayloadException("a required nullable schema has no default");
        }
        return b.build();
    }

    private static SchemaBuilder builderFor(org.apache.avro.Schema a, String path, int depth) {
        Object connectType = a.getObjectProp(TYPE);
        switch (a.getType()) {
            case INT:
                if ("int8".equals(connectType)) {
                    return SchemaBuilder.int8();
                }
                return "int16".equals(connectType) ? SchemaBuilder.int16() : SchemaBuilder.int32();
            case LONG:
                return SchemaBuilder.int64();
            case FLOAT:
                return SchemaBuilder.float32();
            case DOUBLE:
                return SchemaBuilder.float64();
            case BOOLEAN:
                return SchemaBuilder.bool();
            case STRING:
                return SchemaBuilder.string();
            case BYTES:
                return SchemaBuilder.bytes();
            case ARRAY:
                if ("map".equals(connectType)) {
                    org.apache.avro.Schema entry = a.getElementType();
                    if (entry.getType() != org.apache.avro.Schema.Type.RECORD || entry.getField("key") == null
                            || entry.getField("value") == null || entry.getFields().size() != 2) {
                        throw new MalformedPayloadException("a map's entries must be {key, value} records");
                    }
                    return SchemaBuilder.map(toConnect(entry.getField("key").schema(), path + "{key}", depth + 1),
                            toConnect(entry.getField("value").schema(), path + "{}", depth + 1));
                }
                return SchemaBuilder.array(toConnect(a.getElementType(), path + "[]", depth + 1));
            case MAP:
                return SchemaBuilder.map(Schema.STRING_SCHEMA, toConnect(a.getValueType(), path + "{}", depth + 1));
            case RECORD:
                SchemaBuilder struct = SchemaBuilder.struct();
                for (org.apache.avro.Schema.Field f : a.getFields()) {
                    Object original = f.getObjectProp(FIELD_NAME);
                    String fieldName = original != null ? asString(original, FIELD_NAME) : f.name();
                    String childPath = path.isEmpty() ? fieldName : path + "." + fieldName;
                    try {
                        struct.field(fieldName, toConnect(f.schema(), childPath, depth + 1));
                    } catch (org.apache.kafka.connect.errors.SchemaBuilderException e) {
                        throw new MalformedPayloadException("duplicate field name in the payload schema");
                    }
                }
                return struct;
            default:
                throw new MalformedPayloadException("Avro type " + a.getType() + " is not used by this format");
        }
    }

    private static org.apache.avro.Schema nonNullBranch(org.apache.avro.Schema union) {
        List<org.apache.avro.Schema> types = union.getTypes();
        if (types.size() != 2 || types.get(0).getType() != org.apache.avro.Schema.Type.NULL
                || types.get(1).getType() == org.apache.avro.Schema.Type.NULL) {
            throw new MalformedPayloadException("only [\"null\", T] unions are used by this format");
        }
        return types.get(1);
    }

    private static String asString(Object value, String what) {
        if (!(value instanceof String s)) {
            throw new MalformedPayloadException("'" + what + "' is not a string");
        }
        return s;
    }

    // ---------------------------------------------------------------- codecs

    static ValueCodec compile(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            return new ValueCodecs.Nullable(compileInner(nonNullBranch(a), s, path, depth));
        }
        return compileInner(a, s, path, depth);
    }

    private static ValueCodec compileInner(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedPayloadException("The payload schema is nested too deeply");
        }
        String name = s.name();
        return switch (s.type()) {
            case INT8 -> expect(a, org.apache.avro.Schema.Type.INT, new ValueCodecs.Int8(path));
            case INT16 -> expect(a, org.apache.avro.Schema.Type.INT, new ValueCodecs.Int16(path));
            case INT32 -> expect(a, org.apache.avro.Schema.Type.INT,
                    Date.LOGICAL_NAME.equals(name) ? new ValueCodecs.DateCodec(path)
                            : Time.LOGICAL_NAME.equals(name) ? new ValueCodecs.TimeCodec(path)
                            : new ValueCodecs.Int32(path));
            case INT64 -> expect(a, org.apache.avro.Schema.Type.LONG,
                    Timestamp.LOGICAL_NAME.equals(name) ? new ValueCodecs.TimestampCodec(path)
                            : new ValueCodecs.Int64(path));
            case FLOAT32 -> expect(a, org.apache.avro.Schema.Type.FLOAT, new ValueCodecs.Float32(path));
            case FLOAT64 -> expect(a, org.apache.avro.Schema.Type.DOUBLE, new ValueCodecs.Float64(path));
            case BOOLEAN -> expect(a, org.apache.avro.Schema.Type.BOOLEAN, new ValueCodecs.Bool(path));
            case STRING -> expect(a, org.apache.avro.Schema.Type.STRING, new ValueCodecs.Str(path));
            case BYTES -> expect(a, org.apache.avro.Schema.Type.BYTES,
                    Decimal.LOGICAL_NAME.equals(name) ? new ValueCodecs.DecimalCodec(path, decimalScale(s))
                            : new ValueCodecs.Bytes(path));
            case ARRAY -> expect(a, org.apache.avro.Schema.Type.ARRAY, new ValueCodecs.ArrayCodec(path,
                    compile(a.getElementType(), s.valueSchema(), path + "[]", depth + 1)));
            case MAP -> a.getType() == org.apache.avro.Schema.Type.MAP
                    ? new ValueCodecs.StringMapCodec(path, compile(a.getValueType(), s.valueSchema(), path + "{}", depth + 1))
                    : expect(a, org.apache.avro.Schema.Type.ARRAY, new ValueCodecs.EntryMapCodec(path,
                            compile(a.getElementType().getField("key").schema(), s.keySchema(), path + "{key}", depth + 1),
                            compile(a.getElementType().getField("value").schema(), s.valueSchema(), path + "{}", depth + 1)));
            case STRUCT -> struct(a, s, path, depth);
        };
    }

    private static ValueCodec struct(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (a.getType() != org.apache.avro.Schema.Type.RECORD || a.getFields().size() != s.fields().size()) {
            throw new MalformedPayloadException("payload schema and value schema disagree at '" + path + "'");
        }
        ValueCodec[] codecs = new ValueCodec[s.fields().size()];
        for (int i = 0; i < codecs.length; i++) {
            Field f = s.fields().get(i);
            String childPath = path.isEmpty() ? f.name() : path + "." + f.name();
            codecs[i] = compile(a.getFields().get(i).schema(), f.schema(), childPath, depth + 1);
        }
        return new ValueCodecs.StructCodec(path, s, codecs);
    }

    private static ValueCodec expect(org.apache.avro.Schema a, org.apache.avro.Schema.Type type, ValueCodec codec) {
        if (a.getType() != type) {
            throw new MalformedPayloadException("payload schema and value schema disagree at '" + codec.path + "'");
        }
        return codec;
    }
}
