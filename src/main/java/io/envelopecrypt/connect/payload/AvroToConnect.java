package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.envelopecrypt.connect.payload.ConnectAvroMapping.DEFAULT;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.DOC;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.FIELD_NAME;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.MAX_DEPTH;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.NAME;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.OPTIONAL;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.PARAMETERS;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.TYPE;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.VERSION;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.nonNullBranch;

/** Rebuilds the Connect schema from the Avro schema carried with a payload. The vocabulary is {@link ConnectAvroMapping}'s. */
final class AvroToConnect {
    private AvroToConnect() {
    }


    /**
     * Connect schemas built so far, by Avro schema (identity) and nullability: a named type referenced many
     * times is built once and shared, so the result grows with the distinct types, not with the references.
     */
    private final Map<org.apache.avro.Schema, Schema> built = new IdentityHashMap<>();
    private final Map<org.apache.avro.Schema, Schema> builtNullable = new IdentityHashMap<>();

    static Schema toConnect(org.apache.avro.Schema avro) {
        return new AvroToConnect().toConnect(avro, "", 0);
    }

    private Schema toConnect(org.apache.avro.Schema a, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedPayloadException("The payload schema is nested too deeply");
        }
        org.apache.avro.Schema inner = a;
        boolean nullable = false;
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            inner = nonNullBranch(a);
            nullable = true;
        }
        Map<org.apache.avro.Schema, Schema> memo = nullable ? builtNullable : built;
        Schema known = memo.get(inner);
        if (known != null) {
            return known;
        }
        Schema result = build(inner, nullable, path, depth);
        memo.put(inner, result);
        return result;
    }

    private Schema build(org.apache.avro.Schema inner, boolean nullable, String path, int depth) {
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
            // A Struct default must be a Struct of this very builder: SchemaBuilder.defaultValue accepts no other
            // (Avro converters build them the same way).
            Schema valueSchema = b.type() == Schema.Type.STRUCT ? b : b.build();
            BinaryReader in = new BinaryReader(encoded);
            Object value = CodecCompiler.compileInner(inner, valueSchema, path, 0).read(in);
            if (!in.atEnd()) {
                throw new MalformedPayloadException("'" + DEFAULT + "' has trailing bytes");
            }
            try {
                b.defaultValue(value);
            } catch (org.apache.kafka.connect.errors.DataException e) { // SchemaBuilderException
                throw new MalformedPayloadException("'" + DEFAULT + "' does not fit its schema");
            }
        } else if (nullable && Boolean.FALSE.equals(inner.getObjectProp(OPTIONAL))) {
            throw new MalformedPayloadException("a required nullable schema has no default");
        }
        return b.build();
    }

    private SchemaBuilder builderFor(org.apache.avro.Schema a, String path, int depth) {
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

    private static String asString(Object value, String what) {
        if (!(value instanceof String s)) {
            throw new MalformedPayloadException("'" + what + "' is not a string");
        }
        return s;
    }
}
