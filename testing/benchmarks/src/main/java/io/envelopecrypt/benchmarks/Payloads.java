package io.envelopecrypt.benchmarks;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.source.SourceRecord;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * The record values the benchmarks encrypt: an order Struct of 22 fields (nested structs, an array of line
 * items, a map, decimals, timestamps, a date, optional fields) at about 100 B, 1 KB and 10 KB of plaintext, a
 * schemaless Map of about 1 KB and a 1 KB String.
 *
 * <p>Every record of a shape has a different value but the same encoded size: strings have fixed lengths and
 * numbers fixed magnitudes. The {@code notes} field is padded so that the plaintext the transform encrypts
 * has exactly the nominal size.
 */
public final class Payloads {
    public static final Schema ADDRESS = SchemaBuilder.struct().name("com.example.Address")
            .field("street", Schema.STRING_SCHEMA)
            .field("city", Schema.STRING_SCHEMA)
            .field("postcode", Schema.STRING_SCHEMA)
            .field("country", Schema.STRING_SCHEMA)
            .build();
    public static final Schema ITEM = SchemaBuilder.struct().name("com.example.LineItem")
            .field("sku", Schema.STRING_SCHEMA)
            .field("quantity", Schema.INT32_SCHEMA)
            .field("unitPrice", Decimal.schema(2))
            .field("description", Schema.STRING_SCHEMA)
            .build();
    public static final Schema ORDER = SchemaBuilder.struct().name("com.example.Order").version(3)
            .doc("An order, as a CDC or JDBC source connector would produce it")
            .field("orderId", Schema.STRING_SCHEMA)
            .field("customerId", Schema.STRING_SCHEMA)
            .field("status", Schema.STRING_SCHEMA)
            .field("channel", Schema.STRING_SCHEMA)
            .field("currency", Schema.STRING_SCHEMA)
            .field("createdAt", Timestamp.SCHEMA)
            .field("updatedAt", Timestamp.builder().optional().build())
            .field("deliveryDate", Date.SCHEMA)
            .field("total", Decimal.schema(2))
            .field("tax", Decimal.schema(2))
            .field("discount", Decimal.builder(2).optional().build())
            .field("priority", Schema.INT32_SCHEMA)
            .field("express", Schema.BOOLEAN_SCHEMA)
            .field("loyaltyPoints", Schema.INT64_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("phone", Schema.OPTIONAL_STRING_SCHEMA)
            .field("shipping", ADDRESS)
            .field("billing", ADDRESS)
            .field("items", SchemaBuilder.array(ITEM).build())
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("attributes", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).build())
            .field("notes", Schema.STRING_SCHEMA)
            .build();

    /** The shapes, by the name used as a JMH parameter. */
    public enum Shape {
        STRUCT_100B("struct-100B", 100), STRUCT_1KB("struct-1KB", 1024), STRUCT_10KB("struct-10KB", 10 * 1024),
        MAP_1KB("map-1KB", 1024), STRING_1KB("string-1KB", 1024);

        public final String label;
        public final int plaintextBytes;

        Shape(String label, int plaintextBytes) {
            this.label = label;
            this.plaintextBytes = plaintextBytes;
        }

        public static Shape of(String label) {
            for (Shape s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown payload shape " + label);
        }
    }

    private static final long BASE_MILLIS = 1_767_225_600_000L; // 2026-01-01

    private Payloads() {
    }

    /**
     * {@code count} distinct records of one shape, with {@code notes} padded so that {@code plaintextSize}
     * (the size of what the transform encrypts) is the shape's nominal size.
     */
    public static SourceRecord[] records(Shape shape, int count, ToIntFunction<SourceRecord> plaintextSize) {
        int padding = 0;
        int size = plaintextSize.applyAsInt(record(shape, 0, padding));
        for (int attempt = 0; attempt < 3 && size != shape.plaintextBytes; attempt++) {
            padding = Math.max(0, padding + shape.plaintextBytes - size);
            size = plaintextSize.applyAsInt(record(shape, 0, padding));
        }
        SourceRecord[] out = new SourceRecord[count];
        for (int i = 0; i < count; i++) {
            out[i] = record(shape, i, padding);
        }
        return out;
    }

    static SourceRecord record(Shape shape, int i, int padding) {
        Random random = new Random(31L * i + shape.ordinal());
        return switch (shape) {
            case STRUCT_100B -> sourceRecord(ORDER, smallOrder(random, padding), i);
            case STRUCT_1KB -> sourceRecord(ORDER, order(random, 4, 60, padding), i);
            case STRUCT_10KB -> sourceRecord(ORDER, order(random, 48, 150, padding), i);
            case MAP_1KB -> sourceRecord(null, orderMap(random, padding), i);
            case STRING_1KB -> sourceRecord(Schema.STRING_SCHEMA, text(random, 1000 + padding), i);
        };
    }

    private static SourceRecord sourceRecord(Schema schema, Object value, int i) {
        return new SourceRecord(Map.of("source", "bench"), Map.of("offset", (long) i), "orders", 0,
                Schema.STRING_SCHEMA, "key-" + i, schema, value, BASE_MILLIS + i);
    }

    private static Struct smallOrder(Random r, int padding) {
        Struct address = new Struct(ADDRESS).put("street", text(r, 3)).put("city", text(r, 3))
                .put("postcode", digits(r, 4)).put("country", "NO");
        return new Struct(ORDER)
                .put("orderId", digits(r, 4)).put("customerId", digits(r, 3)).put("status", "NEW")
                .put("channel", "web").put("currency", "EUR")
                .put("createdAt", timestamp(r)).put("updatedAt", null).put("deliveryDate", date(r))
                .put("total", money(r)).put("tax", money(r)).put("discount", null)
                .put("priority", 1).put("express", r.nextBoolean()).put("loyaltyPoints", 42L)
                .put("email", "a@b.io").put("phone", null)
                .put("shipping", address).put("billing", address)
                .put("items", List.of()).put("tags", List.of()).put("attributes", Map.of())
                .put("notes", text(r, padding));
    }

    private static Struct order(Random r, int items, int descriptionChars, int padding) {
        List<Struct> lines = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            lines.add(new Struct(ITEM).put("sku", "SKU-" + digits(r, 8)).put("quantity", 1 + r.nextInt(9))
                    .put("unitPrice", money(r)).put("description", text(r, descriptionChars)));
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("campaign", text(r, 12));
        attributes.put("device", text(r, 8));
        attributes.put("locale", "nb-NO");
        return new Struct(ORDER)
                .put("orderId", uuid(r)).put("customerId", uuid(r)).put("status", "CONFIRMED")
                .put("channel", "mobile-app").put("currency", "NOK")
                .put("createdAt", timestamp(r)).put("updatedAt", timestamp(r)).put("deliveryDate", date(r))
                .put("total", money(r)).put("tax", money(r)).put("discount", money(r))
                .put("priority", 1 + r.nextInt(5)).put("express", r.nextBoolean())
                .put("loyaltyPoints", 100_000L + r.nextInt(900_000))
                .put("email", text(r, 10) + "@" + text(r, 8) + ".example")
                .put("phone", "+47 " + digits(r, 8))
                .put("shipping", address(r)).put("billing", address(r))
                .put("items", lines).put("tags", List.of(text(r, 6), text(r, 6), text(r, 6)))
                .put("attributes", attributes)
                .put("notes", text(r, padding));
    }

    private static Map<String, Object> orderMap(Random r, int padding) {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street", text(r, 20));
        address.put("city", text(r, 10));
        address.put("postcode", digits(r, 4));
        address.put("country", "NO");
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("sku", "SKU-" + digits(r, 8));
            item.put("quantity", (long) (1 + r.nextInt(9)));
            item.put("unitPrice", 100.0 + r.nextInt(900) + r.nextInt(100) / 100.0);
            item.put("description", text(r, 60));
            items.add(item);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orderId", uuid(r));
        m.put("customerId", uuid(r));
        m.put("status", "CONFIRMED");
        m.put("channel", "mobile-app");
        m.put("currency", "NOK");
        m.put("createdAt", BASE_MILLIS + r.nextInt(1_000_000_000));
        m.put("total", 1000.0 + r.nextInt(9000) + r.nextInt(100) / 100.0);
        m.put("priority", (long) (1 + r.nextInt(5)));
        m.put("express", r.nextBoolean());
        m.put("email", text(r, 10) + "@" + text(r, 8) + ".example");
        m.put("phone", null);
        m.put("shipping", address);
        m.put("items", items);
        m.put("tags", List.of(text(r, 6), text(r, 6)));
        m.put("notes", text(r, padding));
        return m;
    }

    private static Struct address(Random r) {
        return new Struct(ADDRESS).put("street", text(r, 24)).put("city", text(r, 10))
                .put("postcode", digits(r, 4)).put("country", "NO");
    }

    private static java.util.Date timestamp(Random r) {
        return new java.util.Date(BASE_MILLIS + r.nextInt(1_000_000_000));
    }

    private static java.util.Date date(Random r) {
        return new java.util.Date((BASE_MILLIS / 86_400_000L + r.nextInt(365)) * 86_400_000L);
    }

    /** Amounts from 1,000.00 to 9,999.99: always three bytes unscaled. */
    private static BigDecimal money(Random r) {
        return new BigDecimal(BigInteger.valueOf(100_000 + r.nextInt(900_000)), 2);
    }

    private static String uuid(Random r) {
        return new java.util.UUID(r.nextLong(), r.nextLong()).toString();
    }

    private static String digits(Random r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.toString();
    }

    private static String text(Random r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }
}
