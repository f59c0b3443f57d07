package io.envelopecrypt.benchmarks;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connect values to Avro generic values and back, for the payload schemas the plugin writes: the conversion
 * an encoder built on Avro's {@code GenericDatumWriter} would need before writing (as Confluent's AvroData
 * does), measured in {@link CodecBenchmark} against the plugin's compiled codecs, which skip it.
 */
final class ConnectGenericRecords {
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private ConnectGenericRecords() {
    }

    static Object toAvro(Object value, Schema connect, org.apache.avro.Schema avro) {
        if (value == null) {
            return null;
        }
        org.apache.avro.Schema a = nonNull(avro);
        String logical = connect.name();
        return switch (connect.type()) {
            case INT8 -> ((Byte) value).intValue();
            case INT16 -> ((Short) value).intValue();
            case INT32 -> Date.LOGICAL_NAME.equals(logical) ? (int) (((java.util.Date) value).getTime() / MILLIS_PER_DAY)
                    : Time.LOGICAL_NAME.equals(logical) ? (int) ((java.util.Date) value).getTime() : value;
            case INT64 -> Timestamp.LOGICAL_NAME.equals(logical) ? ((java.util.Date) value).getTime() : value;
            case FLOAT32, FLOAT64, BOOLEAN, STRING -> value;
            case BYTES -> Decimal.LOGICAL_NAME.equals(logical)
                    ? ByteBuffer.wrap(((BigDecimal) value).unscaledValue().toByteArray())
                    : value instanceof byte[] b ? ByteBuffer.wrap(b) : value;
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object v : (List<?>) value) {
                    out.add(toAvro(v, connect.valueSchema(), a.getElementType()));
                }
                yield out;
            }
            case MAP -> {
                if (a.getType() == org.apache.avro.Schema.Type.MAP) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    ((Map<?, ?>) value).forEach((k, v) -> out.put((String) k, toAvro(v, connect.valueSchema(), a.getValueType())));
                    yield out;
                }
                org.apache.avro.Schema entry = a.getElementType();
                List<Object> out = new ArrayList<>();
                ((Map<?, ?>) value).forEach((k, v) -> {
                    GenericData.Record r = new GenericData.Record(entry);
                    r.put(0, toAvro(k, connect.keySchema(), entry.getFields().get(0).schema()));
                    r.put(1, toAvro(v, connect.valueSchema(), entry.getFields().get(1).schema()));
                    out.add(r);
                });
                yield out;
            }
            case STRUCT -> {
                Struct struct = (Struct) value;
                GenericData.Record r = new GenericData.Record(a);
                List<Field> fields = connect.fields();
                for (int i = 0; i < fields.size(); i++) {
                    Field f = fields.get(i);
                    r.put(i, toAvro(struct.getWithoutDefault(f.name()), f.schema(), a.getFields().get(i).schema()));
                }
                yield r;
            }
        };
    }

    static Object toConnect(Object value, Schema connect) {
        if (value == null) {
            return null;
        }
        String logical = connect.name();
        return switch (connect.type()) {
            case INT8 -> ((Integer) value).byteValue();
            case INT16 -> ((Integer) value).shortValue();
            case INT32 -> Date.LOGICAL_NAME.equals(logical) ? new java.util.Date((Integer) value * MILLIS_PER_DAY)
                    : Time.LOGICAL_NAME.equals(logical) ? new java.util.Date((Integer) value) : value;
            case INT64 -> Timestamp.LOGICAL_NAME.equals(logical) ? new java.util.Date((Long) value) : value;
            case FLOAT32, FLOAT64, BOOLEAN -> value;
            case STRING -> value.toString();
            case BYTES -> {
                ByteBuffer buffer = (ByteBuffer) value;
                byte[] b = new byte[buffer.remaining()];
                buffer.duplicate().get(b);
                yield Decimal.LOGICAL_NAME.equals(logical)
                        ? new BigDecimal(new BigInteger(b), Integer.parseInt(connect.parameters().get(Decimal.SCALE_FIELD))) : b;
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Object v : (List<?>) value) {
                    out.add(toConnect(v, connect.valueSchema()));
                }
                yield out;
            }
            case MAP -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                if (value instanceof Map<?, ?> map) {
                    map.forEach((k, v) -> out.put(k.toString(), toConnect(v, connect.valueSchema())));
                } else {
                    for (Object e : (List<?>) value) {
                        GenericRecord r = (GenericRecord) e;
                        out.put(toConnect(r.get(0), connect.keySchema()), toConnect(r.get(1), connect.valueSchema()));
                    }
                }
                yield out;
            }
            case STRUCT -> {
                GenericRecord r = (GenericRecord) value;
                Struct s = new Struct(connect);
                List<Field> fields = connect.fields();
                for (int i = 0; i < fields.size(); i++) {
                    Object v = toConnect(r.get(i), fields.get(i).schema());
                    if (v != null) {
                        s.put(fields.get(i), v);
                    }
                }
                yield s;
            }
        };
    }

    private static org.apache.avro.Schema nonNull(org.apache.avro.Schema s) {
        if (s.getType() != org.apache.avro.Schema.Type.UNION) {
            return s;
        }
        for (org.apache.avro.Schema branch : s.getTypes()) {
            if (branch.getType() != org.apache.avro.Schema.Type.NULL) {
                return branch;
            }
        }
        return s;
    }
}
