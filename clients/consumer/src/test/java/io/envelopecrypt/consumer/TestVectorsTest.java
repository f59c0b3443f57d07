package io.envelopecrypt.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.envelopecrypt.connect.crypto.SealingKey;
import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.envelope.AssociatedData;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.envelope.EnvelopeSealer;
import io.envelopecrypt.connect.kms.DataKeyStatement;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.kms.local.LocalKeyEncryptionKeyProvider;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCompression;
import io.envelopecrypt.connect.engine.EnvelopeContext;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.Keyring;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * test-vectors/ holds envelopes of every plaintext shape under every wrap algorithm, with their keys, data
 * keys, associated data, plaintexts and expected values. This test regenerates them deterministically and
 * fails when the committed files differ, so the format cannot drift silently; it also decrypts the committed
 * envelopes through {@link TopicDecryptor}. Regenerate only on a deliberate format change:
 * {@code mvn -f build -pl :envelopecrypt-consumer -am test -Dtest=TestVectorsTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dvectors.update=true}, which writes the files and fails on purpose; review the diff and run again without it.
 */
class TestVectorsTest {
    private static final Path DIR = Path.of("..", "..", "test-vectors");
    private static final Path KEKS = DIR.resolve("keks.json");
    private static final Path ENVELOPES = DIR.resolve("envelopes.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final boolean UPDATE = Boolean.getBoolean("vectors.update");

    private static String rsaPem;
    private static TestVectorKeys keys;

    @BeforeAll
    static void loadKeys() throws IOException, GeneralSecurityException {
        rsaPem = Files.exists(KEKS) && !Boolean.getBoolean("vectors.newkey") ? JSON.readTree(KEKS.toFile()).path("rsa").path("privateKeyPkcs8Pem").asText()
                : TestVectorKeys.newRsaKeyPem();
        keys = new TestVectorKeys(rsaPem, 20_260_201L);
    }

    @AfterAll
    static void closeKeys() {
        keys.close();
    }

    // ---- the plaintexts -------------------------------------------------------------------------------

    private static final Schema ADDRESS = SchemaBuilder.struct().name("com.example.Address").optional()
            .field("street", Schema.STRING_SCHEMA).field("city", Schema.STRING_SCHEMA)
            .field("postalCode", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema CUSTOMER = SchemaBuilder.struct().name("com.example.Customer")
            .field("customerId", Schema.STRING_SCHEMA).field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA).field("address", ADDRESS).build();
    static final Schema PAYMENT = SchemaBuilder.struct().name("com.example.Payment").version(1)
            .doc("A card payment")
            .field("paymentId", Schema.STRING_SCHEMA)
            .field("cardNumber", Schema.STRING_SCHEMA)
            .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "12").build())
            .field("currency", SchemaBuilder.string().defaultValue("EUR").build())
            .field("createdAt", Timestamp.SCHEMA)
            .field("customer", CUSTOMER)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final Schema ALL_TYPES = SchemaBuilder.struct().name("com.example.AllTypes")
            .field("int8", Schema.INT8_SCHEMA).field("int16", Schema.INT16_SCHEMA)
            .field("int32", Schema.INT32_SCHEMA).field("int64", Schema.INT64_SCHEMA)
            .field("float32", Schema.FLOAT32_SCHEMA).field("float64", Schema.FLOAT64_SCHEMA)
            .field("boolean", Schema.BOOLEAN_SCHEMA).field("string", Schema.STRING_SCHEMA)
            .field("bytes", Schema.BYTES_SCHEMA)
            .field("decimal", Decimal.schema(4)).field("date", Date.SCHEMA).field("time", Time.SCHEMA)
            .field("timestamp", Timestamp.SCHEMA)
            .field("array", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .field("stringMap", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build())
            .field("intKeyedMap", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
            .field("optionalAbsent", Schema.OPTIONAL_INT32_SCHEMA)
            .field("withDefault", SchemaBuilder.int32().defaultValue(7).build())
            .field("nullWithDefault", SchemaBuilder.string().defaultValue("fallback").build())
            .field("optionalNullWithDefault", SchemaBuilder.string().optional().defaultValue("web").build())
            .field("nested", ADDRESS)
            .build();

    private static Struct payment(String id, String card, String amount) {
        Struct address = new Struct(ADDRESS).put("street", "Keizersgracht 1").put("city", "Amsterdam");
        Struct customer = new Struct(CUSTOMER).put("customerId", "cust-42").put("name", "Zoë Müller")
                .put("email", "zoe@example.com").put("address", address);
        return new Struct(PAYMENT).put("paymentId", id).put("cardNumber", card).put("amount", new BigDecimal(amount))
                .put("currency", "EUR").put("createdAt", new java.util.Date(1_738_454_400_123L))
                .put("customer", customer).put("tags", List.of("web", "3ds"));
    }

    private static Struct allTypes() {
        Map<String, Long> stringMap = new LinkedHashMap<>();
        stringMap.put("a", 1L);
        stringMap.put("b", -2L);
        Map<Integer, String> intKeyed = new LinkedHashMap<>();
        intKeyed.put(1, "one");
        intKeyed.put(-5, "minus five");
        return new Struct(ALL_TYPES).put("int8", (byte) -8).put("int16", (short) 1600).put("int32", 320_000)
                .put("int64", 6_400_000_000L).put("float32", 1.5f).put("float64", -0.25).put("boolean", true)
                .put("string", "ünïcødé ✓").put("bytes", new byte[] {0, 1, 2, (byte) 0xff})
                .put("decimal", new BigDecimal("-12345.6789"))
                .put("date", new java.util.Date(20_000L * 86_400_000L)).put("time", new java.util.Date(45_296_789L))
                .put("timestamp", new java.util.Date(1_700_000_000_000L)).put("array", List.of(3, 1, 2))
                .put("stringMap", stringMap).put("intKeyedMap", intKeyed).put("withDefault", 7)
                .put("nested", new Struct(ADDRESS).put("street", "Main St 5").put("city", "Springfield").put("postalCode", "12345"));
    }

    private static Map<String, Object> schemalessOrder() {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("sku", "A-1");
        item.put("quantity", 2L);
        item.put("price", 9.99);
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("orderId", "ord-7");
        order.put("cardNumber", "5500005555555559");
        order.put("paid", true);
        order.put("items", List.of(item));
        order.put("coupon", null);
        order.put("attempts", 3);
        return order;
    }

    /** The Java types a schemaless value may hold beyond JSON's: each has its own DynamicValue branch. */
    private static Map<Object, Object> schemalessJavaTypes() {
        Map<Object, Object> byNumber = new LinkedHashMap<>();
        byNumber.put(1, "one");
        byNumber.put(2L, List.of(true, false));
        Map<Object, Object> value = new LinkedHashMap<>();
        value.put("int8", (byte) -7);
        value.put("int16", (short) 300);
        value.put("float32", 1.25f);
        value.put("decimal", new BigDecimal("-1234.5600"));
        value.put("timestamp", new java.util.Date(1_700_000_000_123L));
        value.put("bytes", new byte[] {1, 2, 3});
        value.put("nonStringKeys", byNumber);
        return value;
    }

    /** One vector: what is encrypted, how, and under which header. */
    private record Spec(String name, String description, String wrapAlgorithm, Schema schema, Object value,
                        String eventType, Map<String, String> metadata, String context, boolean signed, boolean keyring,
                        PayloadCompression compression, Integer registryId) {
        Spec(String name, String description, String wrapAlgorithm, Schema schema, Object value, String eventType,
             Map<String, String> metadata) {
            this(name, description, wrapAlgorithm, schema, value, eventType, metadata, null, false, false);
        }

        Spec(String name, String description, String wrapAlgorithm, Schema schema, Object value, String eventType,
             Map<String, String> metadata, String context, boolean signed) {
            this(name, description, wrapAlgorithm, schema, value, eventType, metadata, context, signed, false);
        }

        Spec(String name, String description, String wrapAlgorithm, Schema schema, Object value, String eventType,
             Map<String, String> metadata, String context, boolean signed, boolean keyring) {
            this(name, description, wrapAlgorithm, schema, value, eventType, metadata, context, signed, keyring,
                    PayloadCompression.NONE, null);
        }

        /** A vector whose plaintext is compressed, and whose schema is in a registry under {@code registryId} (or inline). */
        Spec(String name, String description, Schema schema, Object value, PayloadCompression compression, Integer registryId) {
            this(name, description, "RSA-OAEP-256", schema, value, "payment.created", null, null, false, false, compression,
                    registryId);
        }
    }

    private static List<Spec> specs() {
        Map<String, String> metadata = new TreeMap<>(Map.of("source", "web-app", "version", "1.0"));
        return List.of(
                new Spec("payment-rsa-oaep-256", "A nested Struct (decimal, timestamp, default, optional null, array), "
                        + "wrapped with RSA-OAEP-256 as Azure Key Vault does by default, bound to the context "
                        + "payments.transactions, its data key signed (RS256)", "RSA-OAEP-256", PAYMENT,
                        payment("pay-0001", "4111111111111111", "149.99"), "payment.created", metadata,
                        "payments.transactions", true),
                new Spec("payment-rsa-oaep", "The same schema, wrapped with RSA-OAEP (SHA-1)", "RSA-OAEP", PAYMENT,
                        payment("pay-0002", "5555555555554444", "0.01"), "payment.created", metadata),
                new Spec("payment-local-a256kw", "The same schema, wrapped with a local development key (A256KW)",
                        "A256KW", PAYMENT, payment("pay-0003", "378282246310005", "1000000.00"), "payment.created", null),
                new Spec("all-connect-types", "Every Connect type and logical type, an int-keyed map, a default, and a "
                        + "required and an optional field with a default left null (both read as the default)",
                        "RSA-OAEP-256", ALL_TYPES, allTypes(), "types", null),
                new Spec("schemaless-map", "A Map without a schema (JsonConverter with schemas.enable=false)",
                        "RSA-OAEP-256", null, schemalessOrder(), null, null),
                new Spec("schemaless-java-types", "A schemaless Map holding Byte, Short, Float, BigDecimal, Date, byte[] "
                        + "and a map with non-string keys (every DynamicValue branch)", "RSA-OAEP-256", null,
                        schemalessJavaTypes(), null, null),
                new Spec("string-with-schema", "A String with a STRING schema", "RSA-OAEP-256", Schema.STRING_SCHEMA,
                        "line of a file: 4111111111111111", "file.line", null),
                new Spec("schemaless-string", "A String without a schema", "RSA-OAEP-256", null, "schemaless ✓", null, null),
                new Spec("bytes-with-schema", "A byte[] with a BYTES schema", "RSA-OAEP-256", Schema.BYTES_SCHEMA,
                        "raw bytes\u0000\u0001".getBytes(StandardCharsets.UTF_8), null, null),
                new Spec("int64-with-schema", "An INT64", "RSA-OAEP-256", Schema.INT64_SCHEMA, -9_007_199_254_740_993L, null, null),
                new Spec("optional-float64-with-schema", "An optional FLOAT64", "RSA-OAEP-256", Schema.OPTIONAL_FLOAT64_SCHEMA,
                        2.718281828459045, null, null),
                new Spec("boolean-with-schema", "A BOOLEAN", "A256KW", Schema.BOOLEAN_SCHEMA, false, null, null),
                new Spec("payment-keyring", "A keyring of two: the data key wrapped with RSA-OAEP-256 (keyId, "
                        + "wrappedDataKey) and with the local key (A256KW, in additionalWrappedKeys); either KEK alone "
                        + "decrypts it", "RSA-OAEP-256", PAYMENT, payment("pay-0004", "6011111111111117", "42.00"),
                        "payment.created", null, null, false, true),
                new Spec("payment-registry-zstd", "The payment schema kept in a schema registry (payloadSchema is schema "
                        + "id 7 and the SHA-256 of the schema text the registry serves, given here as registeredSchema), "
                        + "the plaintext compressed with zstd before encryption", PAYMENT,
                        payment("pay-0005", "4000056655665556", "19.95"), PayloadCompression.ZSTD, 7),
                new Spec("payment-lz4", "The payment schema inline, the plaintext compressed as an LZ4 frame", PAYMENT,
                        payment("pay-0006", "2223003122003222", "7.50"), PayloadCompression.LZ4, null),
                new Spec("schemaless-map-snappy", "A schemaless Map, the plaintext compressed as a raw Snappy block", null,
                        schemalessOrder(), PayloadCompression.SNAPPY, null));
    }

    // ---- generation -----------------------------------------------------------------------------------

    private static ObjectNode generate() {
        ObjectNode root = JSON.createObjectNode();
        root.put("description", "Envelope format version 2 test vectors, generated by TestVectorsTest from the Java "
                + "implementation. Specification: docs/envelope-spec.md. Bytes are base64; *Hex fields are hex. "
                + "The keys in keks.json are published on purpose and protect nothing else.");
        ArrayNode vectors = root.putArray("vectors");
        EnvelopeSealer sealer = new EnvelopeSealer();
        int n = 0;
        for (Spec spec : specs()) {
            n++;
            byte[] dek = new byte[32];
            for (int i = 0; i < 32; i++) {
                dek[i] = (byte) (n * 31 + i * 7);
            }
            keys.useWrapAlgorithm(spec.wrapAlgorithm());
            List<WrappedKey> wrapped = new ArrayList<>(List.of(keys.wrap(dek)));
            if (spec.keyring()) {
                keys.useWrapAlgorithm(LocalKeyEncryptionKeyProvider.WRAP_ALGORITHM);
                wrapped.add(keys.wrap(dek));
            }
            SealingKey key = new SealingKey(dek.clone(), 0x5eed0000 + n);
            for (int skip = 0; skip < n; skip++) {
                key.seal(new byte[0], 0, new byte[0], 0, 0); // vary the counter part of the IV between vectors
            }
            PayloadCodec codec = spec.schema() == null ? PayloadCodec.SCHEMALESS : PayloadCodec.forSchema(spec.schema());
            if (spec.registryId() != null) {
                codec = codec.registered(PayloadCodec.registryReference(spec.registryId(), codec.schemaJson()));
            }
            codec = codec.withCompression(spec.compression());
            EnvelopeHeader header = new EnvelopeHeader(String.format("01a2278f-e3a6-7147-9a64-%012d", n),
                    1_738_454_400_000L + n, spec.eventType(), spec.metadata(), spec.context());
            Envelope e = sealer.seal(codec, spec.value(), header, key, wrapped,
                    spec.signed() ? keys.rs256(DataKeyStatement.of(key.commitment())) : null);

            ObjectNode v = vectors.addObject();
            v.put("name", spec.name());
            v.put("description", spec.description());
            ObjectNode env = v.putObject("envelope");
            Struct struct = EnvelopeCodec.toStruct(e, EnvelopeSchema.build(EnvelopeSchema.DEFAULT_NAME));
            for (Field f : struct.schema().fields()) {
                env.set(f.name(), json(struct.get(f)));
            }
            v.put("dataKeyHex", HexFormat.of().formatHex(dek));
            if (spec.signed()) {
                v.put("dataKeyStatementHex", HexFormat.of().formatHex(DataKeyStatement.of(e.dataKeyCommitment())));
            }
            v.put("associatedDataHex", HexFormat.of().formatHex(AssociatedData.of(e).toByteArray()));
            v.put("plaintextHex", HexFormat.of().formatHex(codec.encode(spec.value())));
            if (spec.compression() != PayloadCompression.NONE) {
                v.put("compressedPlaintextHex", HexFormat.of().formatHex(spec.compression().compress(codec.encode(spec.value()))));
            }
            if (spec.registryId() != null) {
                ObjectNode registered = v.putObject("registeredSchema");
                registered.put("id", spec.registryId());
                registered.put("schema", codec.schemaJson());
                v.set("payloadSchemaJson", readTree(codec.schemaJson()));
            } else if (e.payloadSchema() != null) {
                v.set("payloadSchemaJson", readTree(PayloadCodec.inflate(e.payloadSchema())));
            } else {
                v.putNull("payloadSchemaJson");
            }
            v.set("expectedJson", readTree(PlaintextJson.toJson(spec.schema(), spec.value())));
        }
        return root;
    }

    private ObjectNode keksDocument() {
        ObjectNode root = JSON.createObjectNode();
        root.put("description", "The key-encryption keys of the test vectors, published on purpose.");
        ObjectNode rsa = root.putObject("rsa");
        rsa.put("keyId", TestVectorKeys.RSA_KEY_ID);
        rsa.put("about", "Stands in for an Azure Key Vault RSA key; unwrap RSA-OAEP-256 (OAEP, SHA-256, MGF1-SHA-256) "
                + "and RSA-OAEP (OAEP, SHA-1, MGF1-SHA-1) with the private key.");
        rsa.put("privateKeyPkcs8Pem", rsaPem);
        rsa.put("publicKeySpkiPem", keys.publicKeyPem());
        ObjectNode local = root.putObject("local");
        local.put("keyId", keys.localKeyId());
        local.put("about", "A local development key (kek.provider=local): unwrap A256KW (RFC 3394) with it.");
        local.put("keyBase64", TestVectorKeys.LOCAL_KEY_BASE64);
        local.put("keyName", TestVectorKeys.LOCAL_KEY_NAME);
        return root;
    }

    // ---- the checks -----------------------------------------------------------------------------------

    @Test
    void theCommittedVectorsAreWhatThisImplementationWrites() throws IOException {
        ObjectNode keks = keksDocument();
        ObjectNode envelopes = generate();
        if (UPDATE) {
            Files.createDirectories(DIR);
            Files.writeString(KEKS, JSON.writeValueAsString(keks) + "\n");
            Files.writeString(ENVELOPES, JSON.writeValueAsString(envelopes) + "\n");
            fail("Regenerated test-vectors/: review the diff, then run again without -Dvectors.update");
        }
        assertThat(JSON.readTree(KEKS.toFile())).as("test-vectors/keks.json (regenerate with -Dvectors.update=true "
                + "only for a deliberate format change)").isEqualTo(keks);
        JsonNode committed = JSON.readTree(ENVELOPES.toFile());
        for (int i = 0; i < envelopes.get("vectors").size(); i++) {
            assertThat(committed.get("vectors").get(i)).as("test vector %s (regenerate with -Dvectors.update=true only "
                    + "for a deliberate format change)", envelopes.get("vectors").get(i).get("name"))
                    .isEqualTo(envelopes.get("vectors").get(i));
        }
        assertThat(committed).isEqualTo(envelopes);
    }

    @Test
    void everyCommittedVectorDecryptsToItsValueAndSchema() throws IOException {
        JsonNode committed = JSON.readTree(ENVELOPES.toFile());
        List<Spec> specs = specs();
        assertThat(committed.get("vectors")).hasSize(specs.size());
        TestVectorKeys unwrapping = new TestVectorKeys(rsaPem, 0);
        Map<Integer, String> registry = new java.util.HashMap<>();
        committed.get("vectors").forEach(v -> {
            if (v.has("registeredSchema")) {
                registry.put(v.get("registeredSchema").get("id").asInt(), v.get("registeredSchema").get("schema").asText());
            }
        });
        try (TopicDecryptor decryptor = new TopicDecryptor(new EnvelopeDecryptor(Keyring.of(unwrapping), 100, 60_000, 20,
                EnvelopeContext.none(), registry::get, KekCallListener.NONE, java.time.Clock.systemUTC()), null)) {
            for (int i = 0; i < specs.size(); i++) {
                JsonNode v = committed.get("vectors").get(i);
                Spec spec = specs.get(i);
                Decrypted d = decryptor.decrypt(EnvelopeCodec.read(JSON.convertValue(v.get("envelope"), Map.class)));
                assertThat(d.schema()).as(spec.name()).isEqualTo(spec.schema());
                assertThat(normalized(d.value())).as(spec.name()).isEqualTo(normalized(spec.value()));
                assertThat(readTree(d.toJson())).as(spec.name()).isEqualTo(v.get("expectedJson"));
            }
            assertThat(decryptor.unwraps()).isEqualTo(specs.size());
        }
    }

    @Test
    void theKeyringVectorDecryptsWithEitherKeyAlone() throws IOException {
        JsonNode committed = JSON.readTree(ENVELOPES.toFile());
        JsonNode vector = null;
        for (JsonNode v : committed.get("vectors")) {
            vector = "payment-keyring".equals(v.get("name").asText()) ? v : vector;
        }
        assertThat(vector).isNotNull();
        Envelope e = EnvelopeCodec.read(JSON.convertValue(vector.get("envelope"), Map.class));
        assertThat(e.wrappedKeys()).extracting(WrappedKey::algorithm).containsExactly("RSA-OAEP-256", "A256KW");
        LocalKeyEncryptionKeyProvider localOnly = new LocalKeyEncryptionKeyProvider(TestVectorKeys.LOCAL_KEY_NAME,
                List.of(Base64.getDecoder().decode(TestVectorKeys.LOCAL_KEY_BASE64)));
        TestVectorKeys rsa = new TestVectorKeys(rsaPem, 0);
        for (io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider alone : List.of(localOnly,
                new RsaOnly(rsa))) {
            try (EnvelopeDecryptor decryptor = new EnvelopeDecryptor(alone, 10, 60_000, java.time.Clock.systemUTC())) {
                Struct value = (Struct) decryptor.decrypt(e).value();
                assertThat(value.getString("paymentId")).as(alone.description()).isEqualTo("pay-0004");
                assertThat(decryptor.unwraps()).isEqualTo(1);
            }
        }
    }

    /** The RSA half of the test-vector keys: it may not unwrap the local copy. */
    private record RsaOnly(TestVectorKeys keys) implements io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider {
        @Override
        public WrappedKey wrap(byte[] dataKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] unwrap(WrappedKey wrappedKey) {
            return keys.unwrap(wrappedKey);
        }

        @Override
        public boolean canUnwrap(String keyId) {
            return TestVectorKeys.RSA_KEY_ID.equals(keyId);
        }

        @Override
        public String description() {
            return "the test vectors' RSA key";
        }

        @Override
        public void close() {
            keys.close();
        }
    }

    @Test
    void everyShapeAndWrapAlgorithmIsCovered() {
        List<Spec> specs = specs();
        assertThat(specs).extracting(Spec::wrapAlgorithm).contains("RSA-OAEP-256", "RSA-OAEP", "A256KW");
        assertThat(specs).anyMatch(s -> s.schema() == null && s.value() instanceof Map);
        assertThat(specs).anyMatch(s -> s.schema() == null && s.value() instanceof String);
        assertThat(specs).anyMatch(s -> s.value() instanceof Struct);
        assertThat(specs).anyMatch(s -> s.value() instanceof byte[]);
        assertThat(specs).anyMatch(s -> s.value() instanceof Long);
        assertThat(specs).anyMatch(s -> s.value() instanceof Boolean);
        assertThat(specs).anyMatch(s -> s.value() instanceof Double);
        assertThat(specs).anyMatch(Spec::signed).anyMatch(s -> s.context() != null).anyMatch(Spec::keyring);
        assertThat(specs).extracting(Spec::compression).containsAll(List.of(PayloadCompression.values()));
        assertThat(specs).anyMatch(s -> s.registryId() != null);
    }

    /** byte[] has identity equality; compare its contents, also inside maps and lists. */
    private static Object normalized(Object value) {
        if (value instanceof byte[] b) {
            return ByteBuffer.wrap(b);
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(normalized(k), normalized(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(TestVectorsTest::normalized).toList();
        }
        if (value instanceof Struct s) {
            List<Object> out = new ArrayList<>();
            for (Field f : s.schema().fields()) {
                out.add(normalized(s.get(f)));
            }
            return out;
        }
        return value;
    }

    /** An envelope field as JSON: bytes as base64, the additional wrapped copies as objects. */
    private static JsonNode json(Object value) {
        if (value instanceof byte[] b) {
            return JSON.getNodeFactory().textNode(base64(b));
        }
        if (value instanceof List<?> copies) {
            ArrayNode array = JSON.createArrayNode();
            for (Object copy : copies) {
                Struct c = (Struct) copy;
                ObjectNode o = array.addObject();
                c.schema().fields().forEach(f -> o.set(f.name(), json(c.get(f))));
            }
            return array;
        }
        return JSON.valueToTree(value);
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
