package io.envelopecrypt.connect.testing;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random Connect schemas and values for property tests: nested and reused structs, every logical type,
 * optional fields, defaults, arrays, maps with any key type, awkward names, unicode and large values.
 * Everything is derived from the seed, so a failure is reproducible from the seed it reports.
 */
public final class RandomConnectData {
    private static final String[] FIELD_NAMES = {
        "id", "amount", "currency", "card", "number", "first-name", "2nd", "a.b", "ünïcödé", "名前", "null", "int",
        "type", "value", "key", "_under", "CamelCase", "with space", "x", "y", "z", "emoji😀", "a_b", "a-b"};
    private static final String[] STRUCT_NAMES = {
        "com.example.Payment", "com.example.Address", "Card", "my-struct", "com.example.v2.Payment", "record",
        ".leading.dot", "trailing.", "a..b", "ünï.Cödé"};

    private final Random random;
    private final int maxDepth;

    public RandomConnectData(long seed) {
        this(seed, 4);
    }

    public RandomConnectData(long seed, int maxDepth) {
        this.random = new Random(mix(seed));
        this.maxDepth = maxDepth;
    }

    /** SplitMix64's finalizer: sequential seeds give unrelated streams (java.util.Random's first draws correlate). */
    static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public Random random() {
        return random;
    }

    // ---------------------------------------------------------------- schemas

    /** A random top-level value schema (a struct most of the time, as connectors produce). */
    public Schema valueSchema() {
        return random.nextInt(10) < 7 ? struct(0) : schema(0);
    }

    public Schema schema(int depth) {
        int pick = random.nextInt(depth >= maxDepth ? 13 : 17);
        SchemaBuilder b;
        switch (pick) {
            case 0: b = SchemaBuilder.int8(); break;
            case 1: b = SchemaBuilder.int16(); break;
            case 2: b = SchemaBuilder.int32(); break;
            case 3: b = SchemaBuilder.int64(); break;
            case 4: b = SchemaBuilder.float32(); break;
            case 5: b = SchemaBuilder.float64(); break;
            case 6: b = SchemaBuilder.bool(); break;
            case 7: b = SchemaBuilder.string(); break;
            case 8: b = SchemaBuilder.bytes(); break;
            case 9:
                b = Decimal.builder(random.nextInt(14) - 3);
                if (random.nextInt(3) == 0) {
                    b.parameter("connect.decimal.precision", Integer.toString(random.nextInt(30) + 10));
                }
                break;
            case 10: b = Date.builder(); break;
            case 11: b = Time.builder(); break;
            case 12: b = Timestamp.builder(); break;
            case 13:
                b = SchemaBuilder.array(schema(depth + 1));
                break;
            case 14:
                b = SchemaBuilder.map(random.nextInt(3) == 0 ? schema(depth + 1) : plainOrOptionalString(), schema(depth + 1));
                break;
            default:
                return random.nextInt(5) == 0 ? structWithDefault(depth + 1) : struct(depth + 1);
        }
        decorate(b, pick >= 9 && pick <= 12);
        if (random.nextInt(4) == 0) {
            b.optional();
        }
        Schema withoutDefault = b.build();
        if (random.nextInt(6) == 0) {
            Object dflt = nonNullValue(withoutDefault, depth);
            if (dflt instanceof ByteBuffer bb) {
                dflt = toArray(bb);
            }
            b.defaultValue(dflt);
            return b.build();
        }
        return withoutDefault;
    }

    /**
     * A Struct schema with a Struct default, built as Avro converters build it: the default is a Struct of the
     * builder itself (SchemaBuilder.defaultValue accepts no other).
     */
    private Schema structWithDefault(int depth) {
        SchemaBuilder b = SchemaBuilder.struct().name(STRUCT_NAMES[random.nextInt(STRUCT_NAMES.length)] + "WithDefault");
        int fields = random.nextInt(3) + 1;
        for (int i = 0; i < fields; i++) {
            b.field(FIELD_NAMES[random.nextInt(FIELD_NAMES.length)] + "_" + i, schema(Math.max(depth, maxDepth)));
        }
        if (random.nextBoolean()) {
            b.optional();
        }
        b.defaultValue(nonNullValue(b, depth));
        return b.build();
    }

    private Schema plainOrOptionalString() {
        return random.nextInt(4) == 0 ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA;
    }

    public Schema struct(int depth) {
        SchemaBuilder b = SchemaBuilder.struct();
        int r = random.nextInt(10);
        if (r < 6) {
            b.name(STRUCT_NAMES[random.nextInt(STRUCT_NAMES.length)]);
        }
        decorate(b, false);
        int fields = depth >= maxDepth ? random.nextInt(3) : random.nextInt(7);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < fields; i++) {
            String name = FIELD_NAMES[random.nextInt(FIELD_NAMES.length)];
            if (used.contains(name)) {
                name = name + "_" + i;
            }
            used.add(name);
            b.field(name, schema(depth + 1));
        }
        if (random.nextInt(5) == 0) {
            b.optional();
        }
        return b.build();
    }

    private void decorate(SchemaBuilder b, boolean logical) {
        if (!logical && random.nextInt(5) == 0 && b.name() == null && b.type() != Schema.Type.STRUCT) {
            b.name("custom.name." + random.nextInt(100));
        }
        if (!logical && random.nextInt(5) == 0) {
            b.version(random.nextInt(5) + 1);
        }
        if (random.nextInt(5) == 0) {
            b.doc(string(20));
        }
        if (!logical && random.nextInt(6) == 0) {
            b.parameter("p" + random.nextInt(3), string(10));
        }
    }

    // ---------------------------------------------------------------- values

    /** A random value for {@code schema}, null sometimes when the schema allows it. */
    public Object value(Schema schema) {
        return fieldValue(schema, 0);
    }

    /** Struct fields may hold null when optional or defaulted (Connect substitutes the default on read). */
    private Object fieldValue(Schema schema, int depth) {
        if ((schema.isOptional() || schema.defaultValue() != null) && random.nextInt(5) == 0) {
            return null;
        }
        return nonNullValue(schema, depth);
    }

    /** Array elements and map entries may hold null only when optional. */
    private Object value(Schema schema, int depth) {
        if (schema.isOptional() && random.nextInt(5) == 0) {
            return null;
        }
        return nonNullValue(schema, depth);
    }

    private Object nonNullValue(Schema s, int depth) {
        String name = s.name();
        switch (s.type()) {
            case INT8: return (byte) random.nextInt();
            case INT16: return (short) random.nextInt();
            case INT32:
                if (Date.LOGICAL_NAME.equals(name)) {
                    return new java.util.Date((random.nextInt(200_000) - 100_000) * 86_400_000L);
                }
                if (Time.LOGICAL_NAME.equals(name)) {
                    return new java.util.Date(random.nextInt(86_400_001));
                }
                return edgeInt();
            case INT64:
                if (Timestamp.LOGICAL_NAME.equals(name)) {
                    return new java.util.Date(random.nextLong() % 10_000_000_000_000L);
                }
                return edgeLong();
            case FLOAT32: return edgeFloat();
            case FLOAT64: return edgeDouble();
            case BOOLEAN: return random.nextBoolean();
            case STRING: return string(random.nextInt(50) == 0 ? 20_000 : 30);
            case BYTES:
                if (Decimal.LOGICAL_NAME.equals(name)) {
                    int scale = Integer.parseInt(s.parameters().get(Decimal.SCALE_FIELD));
                    return new BigDecimal(new BigInteger(random.nextInt(200) + 1, random).multiply(
                            BigInteger.valueOf(random.nextBoolean() ? 1 : -1)), scale);
                }
                byte[] bytes = bytes(random.nextInt(100) == 0 ? 300_000 : 40);
                return random.nextInt(4) == 0 ? ByteBuffer.wrap(bytes) : bytes;
            case ARRAY: {
                int n = random.nextInt(30) == 0 ? 300 : random.nextInt(5);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(value(s.valueSchema(), depth + 1));
                }
                return list;
            }
            case MAP: {
                int n = random.nextInt(5);
                Map<Object, Object> map = random.nextBoolean() ? new HashMap<>() : new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(value(s.keySchema(), depth + 1), value(s.valueSchema(), depth + 1));
                }
                return map;
            }
            case STRUCT: {
                Struct struct = new Struct(s);
                for (Field f : s.fields()) {
                    Object v = fieldValue(f.schema(), depth + 1);
                    if (v != null) {
                        struct.put(f, v);
                    }
                }
                return struct;
            }
            default:
                throw new IllegalStateException(s.type().toString());
        }
    }

    /** A random schemaless value: what JsonConverter or a connector might put in a Map. */
    public Object schemalessValue(int depth) {
        int pick = random.nextInt(depth >= maxDepth ? 13 : 16);
        return switch (pick) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> edgeInt();
            case 3 -> edgeLong();
            case 4 -> edgeFloat();
            case 5 -> edgeDouble();
            case 6 -> bytes(20);
            case 7 -> string(25);
            case 8 -> (byte) random.nextInt();
            case 9 -> (short) random.nextInt();
            case 10 -> new BigDecimal(BigInteger.valueOf(random.nextLong()), random.nextInt(20) - 5);
            case 11 -> new java.util.Date(random.nextLong() % 10_000_000_000_000L);
            case 12 -> random.nextBoolean() ? Long.valueOf(random.nextInt(1000)) : string(5);
            case 13 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(schemalessValue(depth + 1));
                }
                yield list;
            }
            case 14 -> schemalessMap(depth + 1, true);
            default -> schemalessMap(depth + 1, false);
        };
    }

    /** A schemaless map, as JsonConverter gives (String keys) or as connectors may build (any keys). */
    public Map<Object, Object> schemalessMap(int depth, boolean stringKeys) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            Object key = stringKeys ? string(8) : random.nextBoolean() ? Long.valueOf(random.nextInt(100)) : string(4);
            map.put(key, schemalessValue(depth + 1));
        }
        return map;
    }

    // ---------------------------------------------------------------- primitives

    private int edgeInt() {
        return switch (random.nextInt(6)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> 0;
            default -> random.nextInt();
        };
    }

    private long edgeLong() {
        return switch (random.nextInt(6)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> -1L;
            default -> random.nextLong();
        };
    }

    private float edgeFloat() {
        return switch (random.nextInt(8)) {
            case 0 -> Float.NaN;
            case 1 -> -0.0f;
            case 2 -> Float.NEGATIVE_INFINITY;
            case 3 -> Float.MIN_VALUE;
            default -> random.nextFloat() * 1e6f;
        };
    }

    private double edgeDouble() {
        return switch (random.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> -0.0;
            case 2 -> Double.POSITIVE_INFINITY;
            case 3 -> Double.MAX_VALUE;
            default -> random.nextGaussian() * 1e9;
        };
    }

    public String string(int maxLength) {
        int n = random.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(n);
        while (sb.length() < n) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                sb.append((char) ('a' + random.nextInt(26)));
            } else if (kind < 8) {
                sb.append((char) (0xA0 + random.nextInt(0x2000)));
            } else if (kind < 9) {
                sb.appendCodePoint(0x1F600 + random.nextInt(80));
            } else {
                sb.append((char) random.nextInt(0x20));
            }
        }
        return sb.toString();
    }

    public byte[] bytes(int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(b);
        return b;
    }

    private static byte[] toArray(ByteBuffer bb) {
        byte[] out = new byte[bb.remaining()];
        bb.duplicate().get(out);
        return out;
    }
}
