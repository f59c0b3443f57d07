package io.envelopecrypt.testconnectors;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic sample payment events: record {@code n} of a given seed is always the same, so a test can
 * regenerate exactly what the source produced and compare it with what the sink received.
 */
public final class Payments {
    static final String NS = "com.example.payments.";

    public static final Schema ADDRESS = SchemaBuilder.struct().name(NS + "Address").version(1)
            .field("street", Schema.STRING_SCHEMA)
            .field("city", Schema.STRING_SCHEMA)
            .field("postcode", Schema.STRING_SCHEMA)
            .field("country", SchemaBuilder.string().doc("ISO 3166-1 alpha-2").defaultValue("DE").build())
            .build();
    public static final Schema CARD = SchemaBuilder.struct().name(NS + "Card").version(1).doc("Payment card, PCI scope")
            .field("number", Schema.STRING_SCHEMA)
            .field("holder", Schema.STRING_SCHEMA)
            .field("expiry", Schema.STRING_SCHEMA)
            .field("network", Schema.STRING_SCHEMA)
            .field("cvv", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    public static final Schema MERCHANT = SchemaBuilder.struct().name(NS + "Merchant").version(1)
            .field("id", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("category", Schema.OPTIONAL_STRING_SCHEMA)
            .field("address", ADDRESS)
            .build();
    public static final Schema CUSTOMER = SchemaBuilder.struct().name(NS + "Customer").version(1)
            .field("id", Schema.STRING_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("phone", Schema.OPTIONAL_STRING_SCHEMA)
            .field("billingAddress", SchemaBuilder.struct().name(NS + "Address").version(1)
                    .field("street", Schema.STRING_SCHEMA)
                    .field("city", Schema.STRING_SCHEMA)
                    .field("postcode", Schema.STRING_SCHEMA)
                    .field("country", SchemaBuilder.string().doc("ISO 3166-1 alpha-2").defaultValue("DE").build())
                    .optional().build())
            .build();
    public static final Schema PAYMENT = SchemaBuilder.struct().name(NS + "Payment").version(3)
            .doc("A card payment as captured by the checkout service")
            .field("paymentId", Schema.STRING_SCHEMA)
            .field("sequence", Schema.INT64_SCHEMA)
            .field("status", SchemaBuilder.string().defaultValue("AUTHORIZED").build())
            .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "12").build())
            .field("currency", SchemaBuilder.string().defaultValue("EUR").build())
            .field("card", CARD)
            .field("customer", CUSTOMER)
            .field("merchant", MERCHANT)
            .field("createdAt", Timestamp.SCHEMA)
            .field("settlementDate", Date.builder().optional().build())
            .field("riskScore", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("installments", Schema.OPTIONAL_INT32_SCHEMA)
            .field("channel", SchemaBuilder.string().optional().defaultValue("web").build())
            .field("ipAddress", Schema.OPTIONAL_STRING_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("attributes", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).build())
            .field("fees", SchemaBuilder.array(Decimal.builder(2).build()).optional().build())
            .field("refundOf", Schema.OPTIONAL_STRING_SCHEMA)
            .field("threeDSecure", Schema.BOOLEAN_SCHEMA)
            .build();

    private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton"};
    private static final String[] CITY = {"Berlin", "Lisboa", "Kraków", "Zürich", "Malmö", "Dublin"};
    private static final String[] NETWORK = {"VISA", "MASTERCARD", "AMEX"};
    private static final String[] CATEGORY = {"5411", "5812", "5999", "4111"};

    private Payments() {
    }

    private static SplittableRandom random(long seed, long sequence) {
        return new SplittableRandom(seed * 1_000_003L + sequence);
    }

    /** A unique, Luhn-valid 16-digit card number for this record. */
    public static String cardNumber(long seed, long sequence) {
        String body = "4" + String.format("%014d", Math.floorMod(seed * 7_919L + sequence * 104_729L, 100_000_000_000_000L));
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            int d = body.charAt(body.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return body + (10 - sum % 10) % 10;
    }

    public static Struct payment(long seed, long sequence) {
        SplittableRandom r = random(seed, sequence);
        String holder = FIRST[r.nextInt(FIRST.length)] + " " + LAST[r.nextInt(LAST.length)] + " #" + sequence;
        Struct card = new Struct(CARD)
                .put("number", cardNumber(seed, sequence))
                .put("holder", holder)
                .put("expiry", String.format("%02d/%02d", 1 + r.nextInt(12), 27 + r.nextInt(5)))
                .put("network", NETWORK[r.nextInt(NETWORK.length)]);
        if (r.nextBoolean()) {
            card.put("cvv", String.format("%03d", r.nextInt(1000)));
        }
        Struct merchantAddress = new Struct(ADDRESS).put("street", (1 + r.nextInt(200)) + " Market Street")
                .put("city", CITY[r.nextInt(CITY.length)]).put("postcode", String.format("%05d", r.nextInt(100_000)))
                .put("country", "DE");
        Struct merchant = new Struct(MERCHANT).put("id", "m-" + r.nextInt(1000)).put("name", "Shop " + r.nextInt(500))
                .put("address", merchantAddress);
        if (r.nextInt(4) > 0) {
            merchant.put("category", CATEGORY[r.nextInt(CATEGORY.length)]);
        }
        Schema billingSchema = CUSTOMER.field("billingAddress").schema();
        Struct customer = new Struct(CUSTOMER).put("id", "c-" + (seed % 1000) + "-" + (sequence % 97))
                .put("email", "customer" + sequence + "@example.org");
        if (r.nextBoolean()) {
            customer.put("phone", "+49 30 " + (1_000_000 + r.nextInt(8_999_999)));
        }
        if (r.nextInt(3) > 0) {
            customer.put("billingAddress", new Struct(billingSchema).put("street", "Billing Lane " + sequence)
                    .put("city", CITY[r.nextInt(CITY.length)]).put("postcode", String.format("%05d", r.nextInt(100_000)))
                    .put("country", "PT"));
        }
        List<String> tags = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            tags.add("tag-" + r.nextInt(20));
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("checkout", "v" + r.nextInt(5));
        if (r.nextBoolean()) {
            attributes.put("campaign", "spring-" + r.nextInt(10));
        }
        Struct p = new Struct(PAYMENT)
                .put("paymentId", "pay-" + seed + "-" + sequence)
                .put("sequence", sequence)
                .put("amount", BigDecimal.valueOf(100 + r.nextInt(1_000_000), 2))
                .put("currency", r.nextInt(5) == 0 ? "USD" : "EUR")
                .put("card", card)
                .put("customer", customer)
                .put("merchant", merchant)
                .put("createdAt", new java.util.Date(1_764_000_000_000L + sequence * 1_000L + r.nextInt(1000)))
                .put("tags", tags)
                .put("attributes", attributes)
                .put("threeDSecure", r.nextBoolean());
        if (r.nextInt(3) > 0) {
            p.put("status", r.nextBoolean() ? "AUTHORIZED" : "CAPTURED");
        }
        if (r.nextBoolean()) {
            p.put("settlementDate", new java.util.Date((20_400L + r.nextInt(60)) * 86_400_000L));
        }
        if (r.nextBoolean()) {
            p.put("riskScore", r.nextDouble());
        }
        if (r.nextInt(4) == 0) {
            p.put("installments", 1 + r.nextInt(12));
        }
        if (r.nextBoolean()) {
            p.put("channel", r.nextBoolean() ? "app" : "pos");
        }
        if (r.nextBoolean()) {
            p.put("ipAddress", "203.0.113." + r.nextInt(255));
        }
        if (r.nextInt(3) == 0) {
            p.put("fees", List.of(BigDecimal.valueOf(r.nextInt(500), 2), BigDecimal.valueOf(r.nextInt(500), 2)));
        }
        if (r.nextInt(10) == 0) {
            p.put("refundOf", "pay-" + seed + "-" + Math.max(0, sequence - 1));
        }
        return p;
    }

    /** The same event as a schemaless value, with the types JsonConverter(schemas.enable=false) produces. */
    public static Map<String, Object> paymentMap(long seed, long sequence) {
        Struct p = payment(seed, sequence);
        Struct card = p.getStruct("card");
        Struct merchant = p.getStruct("merchant");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("paymentId", p.getString("paymentId"));
        m.put("sequence", sequence);
        m.put("amount", p.get("amount").toString());
        m.put("amountMinor", ((BigDecimal) p.get("amount")).unscaledValue().longValue());
        m.put("currency", p.getString("currency"));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("number", card.getString("number"));
        c.put("holder", card.getString("holder"));
        c.put("expiry", card.getString("expiry"));
        m.put("card", c);
        Map<String, Object> merch = new LinkedHashMap<>();
        merch.put("id", merchant.getString("id"));
        merch.put("name", merchant.getString("name"));
        merch.put("category", merchant.getString("category"));
        m.put("merchant", merch);
        m.put("createdAt", ((java.util.Date) p.get("createdAt")).getTime());
        m.put("riskScore", p.getFloat64("riskScore"));
        m.put("threeDSecure", p.getBoolean("threeDSecure"));
        m.put("tags", new ArrayList<Object>(p.getArray("tags")));
        return m;
    }

    /** Headers that travel with each event, in the clear. */
    public static Headers headers(long seed, long sequence) {
        return headers(seed, sequence, 3);
    }

    /** As above, with the tenant header spread over {@code tenants} tenants: tenant-(sequence mod tenants). */
    public static Headers headers(long seed, long sequence, int tenants) {
        return new ConnectHeaders().addString("trace-id", "trace-" + seed + "-" + sequence)
                .addString("tenant", tenant(sequence, tenants)).addLong("sequence", sequence);
    }

    public static String tenant(long sequence, int tenants) {
        return "tenant-" + (sequence % tenants);
    }

    public static String key(long seed, long sequence) {
        return "customer-" + (seed % 1000) + "-" + (sequence % 97);
    }

    /** Record n is a tombstone when {@code every > 0} and n is a positive multiple of {@code every}. */
    public static boolean isTombstone(long sequence, int every) {
        return every > 0 && sequence > 0 && sequence % every == 0;
    }

    /** Every string value of the event: what must never appear in an encrypted topic. */
    public static List<String> sensitiveStrings(long seed, long sequence) {
        Struct p = payment(seed, sequence);
        Struct card = p.getStruct("card");
        List<String> out = new ArrayList<>(List.of(card.getString("number"), card.getString("holder"),
                p.getStruct("customer").getString("email"), p.getString("paymentId")));
        if (p.getStruct("customer").getString("phone") != null) {
            out.add(p.getStruct("customer").getString("phone"));
        }
        Struct billing = p.getStruct("customer").getStruct("billingAddress");
        if (billing != null) {
            out.add(billing.getString("street"));
        }
        return out;
    }
}
