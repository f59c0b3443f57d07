package io.envelopecrypt.connect.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.envelopecrypt.connect.kms.local.LocalKeyEncryptionKeyProvider;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/envelope-test-vector.json is a committed envelope that every implementation (and every future
 * version of this one) must decrypt to the same value, step by step. Regenerate only on a deliberate
 * format change: {@code -Dvector.update=true}.
 */
class EnvelopeTestVectorTest {
    private static final Path VECTOR = Path.of("..", "docs", "envelope-test-vector.json");
    private static final Path DYNAMIC_VALUE = Path.of("..", "docs", "dynamic-value.avsc");
    /** A development key published on purpose: it protects nothing but this example. */
    private static final String VECTOR_KEY = Base64.getEncoder().encodeToString(
            "test-vector-key-not-a-secret-32b".getBytes(StandardCharsets.US_ASCII));
    private static final Schema PAYMENT = SchemaBuilder.struct().name("com.example.Payment").version(1)
            .field("paymentId", Schema.STRING_SCHEMA)
            .field("cardNumber", Schema.STRING_SCHEMA)
            .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "12").build())
            .field("currency", SchemaBuilder.string().defaultValue("EUR").build())
            .field("createdAt", Timestamp.SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static Struct payment() {
        return new Struct(PAYMENT).put("paymentId", "pay-0001").put("cardNumber", "4111111111111111")
                .put("amount", new BigDecimal("149.99")).put("currency", "EUR")
                .put("createdAt", new java.util.Date(1_738_454_400_000L));
    }

    private static Map<String, Object> keyConfig() {
        return Map.of("kek.provider", "local", "local.key", VECTOR_KEY, "local.key.name", "test-vector");
    }

    @Test
    void theCommittedVectorDecryptsStepByStep() throws IOException {
        if (Boolean.getBoolean("vector.update")) {
            writeVector();
        }
        JsonNode v = JSON.readTree(VECTOR.toFile());
        JsonNode e = v.get("envelope");
        byte[] wrapped = b64(e, "wrappedDataKey");
        Map<String, String> metadata = JSON.convertValue(e.get("metadata"), Map.class);

        // Step 2: unwrap.
        LocalKeyEncryptionKeyProvider kek = new LocalKeyEncryptionKeyProvider("test-vector",
                List.of(Base64.getDecoder().decode(v.get("localKeyBase64").asText())));
        byte[] dek = kek.unwrap(new io.envelopecrypt.connect.kms.WrappedKey(e.get("keyId").asText(),
                e.get("dataKeyWrapAlgorithm").asText(), wrapped));
        assertThat(HexFormat.of().formatHex(dek)).isEqualTo(v.get("dataKeyHex").asText());

        // Step 3: associated data.
        byte[] aad = AssociatedData.compute(e.get("envelopeVersion").asInt(), e.get("id").asText(),
                e.get("timestamp").asLong(), e.get("eventType").asText(), e.get("keyId").asText(),
                e.get("encryptionAlgorithm").asText(), e.get("dataKeyWrapAlgorithm").asText(), wrapped,
                e.get("payloadFormat").asText(), b64(e, "payloadSchema"), metadata).toByteArray();
        assertThat(HexFormat.of().formatHex(aad)).isEqualTo(v.get("associatedDataHex").asText());

        // Steps 4 and 5, through the transform.
        Struct envelope = new Struct(EnvelopeSchema.build(EnvelopeSchema.DEFAULT_NAME));
        for (Field f : envelope.schema().fields()) {
            JsonNode n = e.get(f.name());
            Object value = switch (f.schema().type()) {
                case BYTES -> Base64.getDecoder().decode(n.asText());
                case INT32 -> n.asInt();
                case INT64 -> n.asLong();
                case MAP -> metadata;
                default -> n == null || n.isNull() ? null : n.asText();
            };
            envelope.put(f, value);
        }
        DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
        decrypt.configure(keyConfig());
        SourceRecord out = decrypt.apply(new SourceRecord(Map.of(), Map.of(), "payments", 0, envelope.schema(), envelope));
        assertThat(out.valueSchema()).isEqualTo(PAYMENT);
        assertThat(out.value()).isEqualTo(payment());
        assertThat(HexFormat.of().formatHex(PayloadCodec.forSchema(PAYMENT).encode(payment())))
                .isEqualTo(v.get("plaintextHex").asText());
        decrypt.close();
        kek.close();
    }

    @Test
    void theDocumentedSchemalessSchemaIsTheOneInUse() throws IOException {
        if (Boolean.getBoolean("vector.update")) {
            Files.writeString(DYNAMIC_VALUE, PayloadCodec.schemalessAvroSchema().toString(true) + "\n");
        }
        org.apache.avro.Schema documented = new org.apache.avro.Schema.Parser().parse(DYNAMIC_VALUE.toFile());
        assertThat(documented).isEqualTo(PayloadCodec.schemalessAvroSchema());
    }

    private static void writeVector() throws IOException {
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
        encrypt.configure(Map.of("kek.provider", "local", "local.key", VECTOR_KEY, "local.key.name", "test-vector",
                "envelope.event.type", "static:payment.created",
                "envelope.metadata", "source=static:web-app,version=static:1.0"));
        SourceRecord in = new SourceRecord(Map.of(), Map.of(), "payments", 0, Schema.STRING_SCHEMA, "customer-12345",
                PAYMENT, payment(), 1_738_454_400_123L);
        Struct env = (Struct) encrypt.apply(in).value();
        encrypt.close();

        ObjectNode root = JSON.createObjectNode();
        root.put("description", "A version 1 envelope of a com.example.Payment record, encrypted with a local "
                + "development key that is published here on purpose. Bytes are base64, *Hex fields are hex.");
        root.put("localKeyBase64", VECTOR_KEY);
        ObjectNode e = root.putObject("envelope");
        for (Field f : env.schema().fields()) {
            Object value = env.get(f);
            if (value instanceof byte[] b) {
                e.put(f.name(), Base64.getEncoder().encodeToString(b));
            } else {
                e.set(f.name(), JSON.valueToTree(value));
            }
        }
        LocalKeyEncryptionKeyProvider kek = new LocalKeyEncryptionKeyProvider("test-vector",
                List.of(Base64.getDecoder().decode(VECTOR_KEY)));
        byte[] dek = kek.unwrap(new io.envelopecrypt.connect.kms.WrappedKey(env.getString("keyId"),
                env.getString("dataKeyWrapAlgorithm"), env.getBytes("wrappedDataKey")));
        kek.close();
        root.put("dataKeyHex", HexFormat.of().formatHex(dek));
        @SuppressWarnings("unchecked")
        Map<String, String> metadata = (Map<String, String>) env.get("metadata");
        root.put("associatedDataHex", HexFormat.of().formatHex(AssociatedData.compute(env.getInt32("envelopeVersion"),
                env.getString("id"), env.getInt64("timestamp"), env.getString("eventType"), env.getString("keyId"),
                env.getString("encryptionAlgorithm"), env.getString("dataKeyWrapAlgorithm"), env.getBytes("wrappedDataKey"),
                env.getString("payloadFormat"), env.getBytes("payloadSchema"), metadata).toByteArray()));
        root.put("payloadSchemaJson", PayloadCodec.inflate(env.getBytes("payloadSchema")));
        root.put("plaintextHex", HexFormat.of().formatHex(PayloadCodec.forSchema(PAYMENT).encode(payment())));
        ObjectNode plain = root.putObject("plaintextValue");
        plain.put("paymentId", "pay-0001").put("cardNumber", "4111111111111111").put("amount", "149.99")
                .put("currency", "EUR").put("createdAt", "2025-02-02T00:00:00Z").putNull("note");
        Files.writeString(VECTOR, JSON.writeValueAsString(root) + "\n");
    }

    private static byte[] b64(JsonNode node, String field) {
        return Base64.getDecoder().decode(node.get(field).asText());
    }
}
