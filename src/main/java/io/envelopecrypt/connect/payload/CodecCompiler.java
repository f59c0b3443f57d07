package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import static io.envelopecrypt.connect.payload.ConnectAvroMapping.MAX_DEPTH;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.decimalScale;
import static io.envelopecrypt.connect.payload.ConnectAvroMapping.nonNullBranch;

/** Compiles an Avro schema and its Connect schema into a {@link ValueCodec} tree. The vocabulary is {@link ConnectAvroMapping}'s. */
final class CodecCompiler {
    private CodecCompiler() {
    }

    static ValueCodec compile(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (a.getType() == org.apache.avro.Schema.Type.UNION) {
            return new ContainerCodecs.Nullable(compileInner(nonNullBranch(a), s, path, depth));
        }
        return compileInner(a, s, path, depth);
    }

    static ValueCodec compileInner(org.apache.avro.Schema a, Schema s, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedPayloadException("The payload schema is nested too deeply");
        }
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
                    compile(a.getElementType(), s.valueSchema(), path + "[]", depth + 1)));
            case MAP -> a.getType() == org.apache.avro.Schema.Type.MAP
                    ? new ContainerCodecs.StringMapCodec(path, compile(a.getValueType(), s.valueSchema(), path + "{}", depth + 1))
                    : expect(a, org.apache.avro.Schema.Type.ARRAY, new ContainerCodecs.EntryMapCodec(path,
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
        return new ContainerCodecs.StructCodec(path, s, codecs);
    }

    private static ValueCodec expect(org.apache.avro.Schema a, org.apache.avro.Schema.Type type, ValueCodec codec) {
        if (a.getType() != type) {
            throw new MalformedPayloadException("payload schema and value schema disagree at '" + codec.path + "'");
        }
        return codec;
    }
}
