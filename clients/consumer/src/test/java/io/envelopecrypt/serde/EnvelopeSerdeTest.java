package io.envelopecrypt.serde;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.envelopecrypt.consumer.TopicDecryptor;

import org.apache.avro.LogicalTypes;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The serializers without a broker: what goes in comes out, in each value type, and what they refuse. */
class EnvelopeSerdeTest {
    private static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final org.apache.avro.Schema LINE = SchemaBuilder.record("LineItem").namespace("com.example.shop")
            .fields().requiredString("sku").requiredInt("quantity").endRecord();
    private static final org.apache.avro.Schema ORDER = SchemaBuilder.record("Order").namespace("com.example.shop").fields()
            .requiredString("id")
            .name("amount").type(LogicalTypes.decimal(10, 2).addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.BYTES))).noDefault()
            .name("placedAt").type(LogicalTypes.timestampMillis().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG))).noDefault()
            .name("status").type(SchemaBuilder.enumeration("Status").namespace("com.example.shop").symbols("NEW", "PAID")).noDefault()
            .name("items").type().array().items(LINE).noDefault()
            .name("tags").type().map().values().stringType().noDefault()
            .optionalString("note")
            .name("digest").type(SchemaBuilder.fixed("Digest").namespace("com.example.shop").size(4)).noDefault()
            .endRecord();

    private static GenericRecord order() {
        GenericRecord r = new GenericData.Record(ORDER);
        r.put("id", "order-1");
        r.put("amount", ByteBuffer.wrap(new BigDecimal("129.99").unscaledValue().toByteArray()));
        r.put("placedAt", 1_767_225_600_123L);
        r.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), "PAID"));
        GenericRecord line = new GenericData.Record(LINE);
        line.put("sku", "sku-9");
        line.put("quantity", 2);
        r.put("items", List.of(line));
        r.put("tags", Map.of("channel", "web"));
        r.put("note", null);
        r.put("digest", new GenericData.Fixed(ORDER.getField("digest").schema(), new byte[] {1, 2, 3, 4}));
        return r;
    }

    private static Map<String, Object> settings(Object... more) {
        Map<String, Object> props = new HashMap<>(Map.of("kek.provider", "local", "local.key", KEY, "envelope.format", "json"));
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        return props;
    }

    private static Object roundTrip(Object value, String valueType, Object... serializerSettings) {
        try (EnvelopeSerializer serializer = new EnvelopeSerializer(); EnvelopeDeserializer deserializer = new EnvelopeDeserializer()) {
            serializer.configure(settings(serializerSettings), false);
            deserializer.configure(settings("value.type", valueType), false);
            return deserializer.deserialize("orders", serializer.serialize("orders", value));
        }
    }

    @Test
    void avroRecordsComeBackAsConnectDataAsAnAvroConverterWouldHaveMadeThem() {
        SchemaAndValue back = (SchemaAndValue) roundTrip(order(), "connect");
        Struct s = (Struct) back.value();
        assertThat(back.schema().name()).isEqualTo("com.example.shop.Order");
        assertThat(back.schema().field("amount").schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(s.get("amount")).isEqualTo(new BigDecimal("129.99"));
        assertThat(s.get("placedAt")).isEqualTo(new java.util.Date(1_767_225_600_123L));
        assertThat(s.getString("status")).isEqualTo("PAID");
        assertThat(s.getArray("items")).hasSize(1);
        assertThat(((Struct) s.getArray("items").get(0)).getInt32("quantity")).isEqualTo(2);
        assertThat(s.getMap("tags")).isEqualTo(Map.of("channel", "web"));
        assertThat(s.getString("note")).isNull();
        assertThat(s.getBytes("digest")).containsExactly(1, 2, 3, 4);
    }

    @Test
    void avroRecordsComeBackAsAvroRecordsOfTheSameNameFieldsAndLogicalTypes() {
        GenericRecord back = (GenericRecord) roundTrip(order(), "avro", "payload.compression", "lz4");
        assertThat(back.getSchema().getFullName()).isEqualTo("com.example.shop.Order");
        assertThat(back.get("id").toString()).isEqualTo("order-1");
        assertThat(back.getSchema().getField("amount").schema().getLogicalType().getName()).isEqualTo("decimal");
        assertThat(new BigDecimal(new java.math.BigInteger(((ByteBuffer) back.get("amount")).array()), 2)).isEqualTo(new BigDecimal("129.99"));
        assertThat(back.get("placedAt")).isEqualTo(1_767_225_600_123L);
        assertThat(((GenericRecord) ((List<?>) back.get("items")).get(0)).get("sku").toString()).isEqualTo("sku-9");
        assertThat(back.get("note")).isNull();
    }

    @Test
    void jsonAndSchemalessValuesRoundTrip() throws Exception {
        Object json = new ObjectMapper().readTree("{\"id\":\"order-2\",\"amount\":12,\"tags\":[\"a\",\"b\"]}");
        assertThat(roundTrip(json, "avro")).isEqualTo(Map.of("id", "order-2", "amount", 12L, "tags", List.of("a", "b")));
        assertThat((String) roundTrip(order(), "json")).contains("\"id\":\"order-1\"").contains("\"amount\":129.99")
                .contains("\"status\":\"PAID\"");
        assertThat(roundTrip("just a string", "connect")).isEqualTo(new SchemaAndValue(null, "just a string"));
        assertThat(roundTrip(null, "avro")).isNull();
    }

    @Test
    void whatTheSerializerWritesIsAnEnvelopeEveryReaderOpens() {
        try (EnvelopeSerializer serializer = new EnvelopeSerializer();
             TopicDecryptor reader = TopicDecryptor.fromConfig(Map.of("kek.provider", "local", "local.key", KEY))) {
            serializer.configure(settings("envelope.event.type", "order.placed"), false);
            byte[] bytes = serializer.serialize("orders", order());
            assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("{").doesNotContain("order-1");
            var decrypted = reader.decrypt("orders", bytes);
            assertThat(decrypted.envelope().eventType()).isEqualTo("order.placed");
            assertThat(((Struct) decrypted.value()).getString("id")).isEqualTo("order-1");
        }
    }

    @Test
    void refusesWhatItCannotDoWithAClearError() {
        EnvelopeSerializer serializer = new EnvelopeSerializer();
        assertThatThrownBy(() -> serializer.configure(settings(), true)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("values only");
        assertThatThrownBy(() -> serializer.configure(settings("envelope.format", "avro"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        org.apache.avro.Schema twoTypes = SchemaBuilder.record("Odd").fields().name("either").type().unionOf().intType().and()
                .stringType().endUnion().noDefault().endRecord();
        GenericRecord odd = new GenericData.Record(twoTypes);
        odd.put("either", 1);
        assertThatThrownBy(() -> roundTrip(odd, "avro")).isInstanceOf(DataException.class).hasMessageContaining("'either'");
    }
}
