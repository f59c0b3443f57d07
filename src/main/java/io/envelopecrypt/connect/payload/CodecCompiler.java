package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.util.HashMap;
import java.util.Map;

import static io.envelopecrypt.connect.payload.ConnectAvroMapping.MAX_DEPTH;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.decimalScale;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.nonNullBranch;

/**
 * Compiles an Avro schema and its Connect schema into a {@link ValueCodec} tree. The vocabulary is
 * {@link ConnectAvroMapping}'s. A pair of schemas met again (a named type referenced many times) gets the codec
 * compiled the first time, so the tree grows with the distinct types, not with the references: a short schema
 * that refers back to its named records cannot make it exponential. Error messages name the first path.
 */
final class CodecCompiler {
    private final Map<Pair, ValueCodec> compiled = new HashMap<>();

    /** Two schemas by identity. */
    private record Pair(org.apache.avro.Schema avro, Schema connect) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pair p && p.avro == avro && p.connect == connect;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(avro) + System.identityHashCode(connect);
        }
    }

    private CodecCompiler() {
    }

    static ValueCodec compile(org.apache.avro.Schema a, Schema s, String path, int depth) {
        return new CodecCompiler().node(a, s, path, depth);
    }

    static ValueCodec compileInner(org.apache.avro.Schema a, Schema s, String path, int depth) {
        return new CodecCompiler().nodeInner(a, s, path, depth);
    }

    private ValueCodec node(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            return new ContainerCodecs.Nullable(nodeInner(nonNullBranch(a), s, path, depth));
        }
        return nodeInner(a, s, path, depth);
    }

    private ValueCodec nodeInner(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedPayloadException("The payload schema is nested too deeply");
        }
        Pair key = new Pair(a, s);
        ValueCodec known = compiled.get(key);
        if (known != null) {
            return known;
        }
        ValueCodec codec = build(a, s, path, depth);
        compiled.put(key, codec);
        return codec;
    }

    private ValueCodec build(org.apache.avro.Schema a, Schema s, String path, int depth) {
        String name = s.name();
        return switch (s.type()) {
            case INT8 -> expect(a, org.apache.avro.Schema.Type.INT, new PrimitiveCodecs.Int8(path));
            case INT16 -> expect(a, org.apache.avro.Schema.Type.INT, new PrimitiveCodecs.Int16(path));
            case INT32 -> expect(a, org.apache.avro.Schema.Type.INT,
                    Date.LOGICAL_NAME.equals(name) ? new LogicalTypeCodecs.DateCodec(path)
                            : Time.LOGICAL_NAME.equals(name) ? new LogicalTypeCodecs.TimeCodec(path)
                            : new PrimitiveCodecs.Int32(path));
            case INT64 -> expect(a, org.apache.avro.Schema.Type.LONG,
                    Timestamp.LOGICAL_NAME.equals(name) ? new LogicalTypeCodecs.TimestampCodec(path)
                            : new PrimitiveCodecs.Int64(path));
            case FLOAT32 -> expect(a, org.apache.avro.Schema.Type.FLOAT, new PrimitiveCodecs.Float32(path));
            case FLOAT64 -> expect(a, org.apache.avro.Schema.Type.DOUBLE, new PrimitiveCodecs.Float64(path));
            case BOOLEAN -> expect(a, org.apache.avro.Schema.Type.BOOLEAN, new PrimitiveCodecs.Bool(path));
            case STRING -> expect(a, org.apache.avro.Schema.Type.STRING, new PrimitiveCodecs.Str(path));
            case BYTES -> expect(a, org.apache.avro.Schema.Type.BYTES,
                    Decimal.LOGICAL_NAME.equals(name) ? new LogicalTypeCodecs.DecimalCodec(path, decimalScale(s))
                            : new PrimitiveCodecs.Bytes(path));
            case ARRAY -> expect(a, org.apache.avro.Schema.Type.ARRAY, new ContainerCodecs.ArrayCodec(path,
                    node(a.getElementType(), s.valueSchema(), path + "[]", depth + 1)));
            case MAP -> a.getType() == org.apache.avro.Schema.Type.MAP
                    ? new ContainerCodecs.StringMapCodec(path, node(a.getValueType(), s.valueSchema(), path + "{}", depth + 1))
                    : expect(a, org.apache.avro.Schema.Type.ARRAY, new ContainerCodecs.EntryMapCodec(path,
                            node(a.getElementType().getField("key").schema(), s.keySchema(), path + "{key}", depth + 1),
                            node(a.getElementType().getField("value").schema(), s.valueSchema(), path + "{}", depth + 1)));
            case STRUCT -> struct(a, s, path, depth);
        };
    }

    private ValueCodec struct(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (a.getType() != org.apache.avro.Schema.Type.RECORD || a.getFields().size() != s.fields().size()) {
            throw new MalformedPayloadException("payload schema and value schema disagree at '" + path + "'");
        }
        ValueCodec[] codecs = new ValueCodec[s.fields().size()];
        for (int i = 0; i < codecs.length; i++) {
            Field f = s.fields().get(i);
            String childPath = path.isEmpty() ? f.name() : path + "." + f.name();
            codecs[i] = node(a.getFields().get(i).schema(), f.schema(), childPath, depth + 1);
        }
        return new ContainerCodecs.StructCodec(path, s, codecs);
    }

    private static ValueCodec expect(org.apache.avro.Schema a, org.apache.avro.Schema.Type type, ValueCodec codec) {
        if (a.getType() != type) {
            throw new MalformedPayloadException("payload schema and value schema disagree at '" + codec.path + "'");
        }
        return codec;
    }
}
