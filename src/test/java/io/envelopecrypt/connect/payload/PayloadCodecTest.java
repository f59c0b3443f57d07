package io.envelopecrypt.connect.payload;

import io.envelopecrypt.connect.testing.RandomConnectData;

import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static io.envelopecrypt.connect.testing.ConnectAssertions.assertSchemaEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadCodecTest {

    @Test
    void randomSchemasAndValuesRoundTripExactly() throws IOException {
        int values = 0;
        for (long seed = 0; seed < 2_000; seed++) {
            RandomConnectData gen = new RandomConnectData(seed);
            Schema schema = gen.valueSchema();
            PayloadCodec writer;
            PayloadCodec reader;
            try {
                writer = PayloadCodec.forSchema(schema);
                reader = PayloadCodec.fromPayloadSchema(writer.payloadSchema());
                assertSchemaEquals(schema, reader.connectSchema());
            } catch (Throwable e) {
                throw new AssertionError("seed " + seed + ", schema " + schema, e);
            }
            for (int i = 0; i < 5; i++) {
                Object value = gen.value(schema);
                if (value == null && !schema.isOptional()) {
                    continue;
                }
                try {
                    byte[] bytes = writer.encode(value);
                    assertDeepEquals(value, reader.decode(bytes));
                    assertReadableByGenericAvro(writer.schemaJson(), bytes);
                    values++;
                } catch (Throwable e) {
                    throw new AssertionError("seed " + seed + " value " + i + ", schema " + schema, e);
                }
            }
        }
        assertThat(values).isGreaterThanOrEqualTo(9_000);
    }

    @Test
    void randomSchemalessValuesRoundTripWithTheirJavaTypes() throws IOException {
        for (long seed = 0; seed < 3_000; seed++) {
            RandomConnectData gen = new RandomConnectData(seed);
            Object value = seed % 3 == 0 ? gen.schemalessMap(0, seed % 2 == 0) : gen.schemalessValue(0);
            try {
                byte[] bytes = PayloadCodec.SCHEMALESS.encode(value);
                assertDeepEquals(value, PayloadCodec.SCHEMALESS.decode(bytes));
                assertReadableByGenericAvro(PayloadCodec.schemalessAvroSchema().toString(), bytes);
            } catch (Throwable e) {
                throw new AssertionError("seed " + seed, e);
            }
        }
    }

    /** An outside consumer with any Avro library reads the payload with the schema from the envelope. */
    private static void assertReadableByGenericAvro(String schemaJson, byte[] bytes) throws IOException {
        org.apache.avro.Schema schema = new org.apache.avro.Schema.Parser().parse(schemaJson);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        new GenericDatumReader<>(schema).read(null, decoder);
        assertThat(decoder.isEnd()).as("generic Avro reader consumed every byte").isTrue();
    }

    @Test
    void logicalTypesCarryStandardAvroLogicalTypes() {
        Schema schema = SchemaBuilder.struct().name("com.example.Payment")
                .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "10").build())
                .field("at", Timestamp.SCHEMA)
                .field("day", org.apache.kafka.connect.data.Date.SCHEMA)
                .field("time", org.apache.kafka.connect.data.Time.SCHEMA)
                .build();
        org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser().parse(PayloadCodec.forSchema(schema).schemaJson());
        assertThat(avro.getFullName()).isEqualTo("com.example.Payment");
        assertThat(avro.getField("amount").schema().getLogicalType().getName()).isEqualTo("decimal");
        assertThat(avro.getField("amount").schema().getObjectProp("precision")).isEqualTo(10);
        assertThat(avro.getField("at").schema().getLogicalType().getName()).isEqualTo("timestamp-millis");
        assertThat(avro.getField("day").schema().getLogicalType().getName()).isEqualTo("date");
        assertThat(avro.getField("time").schema().getLogicalType().getName()).isEqualTo("time-millis");
    }

    @Test
    void differentStructsWithTheSameNameGetDistinctAvroNames() {
        Schema a = SchemaBuilder.struct().name("Thing").field("x", Schema.INT32_SCHEMA).build();
        Schema b = SchemaBuilder.struct().name("Thing").field("y", Schema.STRING_SCHEMA).build();
        Schema outer = SchemaBuilder.struct().field("a", a).field("b", b).field("a2", a).build();
        PayloadCodec codec = PayloadCodec.forSchema(outer);
        Struct value = new Struct(outer).put("a", new Struct(a).put("x", 1)).put("b", new Struct(b).put("y", "s"))
                .put("a2", new Struct(a).put("x", 2));
        PayloadCodec reader = PayloadCodec.fromPayloadSchema(codec.payloadSchema());
        assertSchemaEquals(outer, reader.connectSchema());
        assertDeepEquals(value, reader.decode(codec.encode(value)));
    }

    @Test
    void nullForARequiredFieldWithADefaultSurvivesAsNull() {
        Schema schema = SchemaBuilder.struct().field("n", SchemaBuilder.int32().defaultValue(7).build()).build();
        Struct value = new Struct(schema);
        Struct decoded = (Struct) PayloadCodec.fromPayloadSchema(PayloadCodec.forSchema(schema).payloadSchema())
                .decode(PayloadCodec.forSchema(schema).encode(value));
        assertThat(decoded.getWithoutDefault("n")).isNull();
        assertThat(decoded.get("n")).isEqualTo(7);
    }

    @Test
    void byteBuffersAreAcceptedAndComeBackAsArrays() {
        Schema schema = SchemaBuilder.array(Schema.BYTES_SCHEMA).build();
        List<Object> value = List.of(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Object decoded = PayloadCodec.forSchema(schema).decode(PayloadCodec.forSchema(schema).encode(value));
        assertThat(((List<?>) decoded).get(0)).isEqualTo(new byte[] {1, 2, 3});
    }

    @Test
    void valuesThatDoNotMatchTheSchemaAreRejectedByFieldNameWithoutTheirContents() {
        Schema schema = SchemaBuilder.struct().name("P").field("card", Schema.STRING_SCHEMA)
                .field("amount", Decimal.schema(2)).build();
        Struct struct = new Struct(schema).put("card", "4111111111111111");
        assertThatThrownBy(() -> PayloadCodec.forSchema(schema).encode(struct))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("amount").hasMessageContaining("required")
                .hasMessageNotContaining("4111");
        Map<String, Object> wrongType = new HashMap<>();
        wrongType.put("x", new Object());
        assertThatThrownBy(() -> PayloadCodec.SCHEMALESS.encode(wrongType))
                .isInstanceOf(DataException.class).hasMessageContaining("java.lang.Object");
        Schema decimal = Decimal.schema(2);
        assertThatThrownBy(() -> PayloadCodec.forSchema(decimal).encode(new BigDecimal("1.234")))
                .isInstanceOf(DataException.class).hasMessageContaining("scale");
    }

    @Test
    void selfContainingSchemalessValuesAreRejectedNotOverflowed() {
        List<Object> list = new ArrayList<>();
        list.add(list);
        assertThatThrownBy(() -> PayloadCodec.SCHEMALESS.encode(list))
                .isInstanceOf(DataException.class).hasMessageContaining("nested");
    }

    @Test
    void truncatedOrPaddedPayloadsAreRejected() {
        Schema schema = SchemaBuilder.struct().field("s", Schema.STRING_SCHEMA).field("n", Schema.INT64_SCHEMA).build();
        PayloadCodec codec = PayloadCodec.forSchema(schema);
        byte[] bytes = codec.encode(new Struct(schema).put("s", "hello").put("n", 42L));
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(MalformedPayloadException.class);
        }
        byte[] padded = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> codec.decode(padded)).isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("trailing");
    }

    @Test
    void invalidPayloadSchemasAreRejectedClearly() {
        assertThatThrownBy(() -> PayloadCodec.fromPayloadSchema(PayloadCodec.deflate("{not json")))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("not a valid Avro schema");
        assertThatThrownBy(() -> PayloadCodec.fromPayloadSchema(PayloadCodec.deflate("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}")))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("ENUM");
        assertThatThrownBy(() -> PayloadCodec.fromPayloadSchema(PayloadCodec.deflate("[\"int\",\"string\"]")))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("union");
        assertThatThrownBy(() -> PayloadCodec.fromPayloadSchema("{\"type\":\"int\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("DEFLATE");
        byte[] ok = PayloadCodec.deflate("\"string\"");
        assertThatThrownBy(() -> PayloadCodec.fromPayloadSchema(java.util.Arrays.copyOf(ok, ok.length - 1)))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("truncated");
    }

    @Test
    void compressedSchemasThatExpandTooFarAreRefused() {
        byte[] bomb = PayloadCodec.deflate(" ".repeat(PayloadCodec.MAX_SCHEMA_JSON_BYTES + 10));
        assertThat(bomb.length).isLessThan(100_000);
        assertThatThrownBy(() -> PayloadCodec.fromPayloadSchema(bomb))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("expands beyond");
    }

    @Test
    void theSchemaTravelsCompressed() {
        SchemaBuilder b = SchemaBuilder.struct().name("com.example.Wide").doc("a wide record");
        for (int i = 0; i < 30; i++) {
            b.field("field_number_" + i, SchemaBuilder.string().optional().doc("documentation of field " + i).build());
        }
        PayloadCodec codec = PayloadCodec.forSchema(b.build());
        assertThat(codec.payloadSchema().length).isLessThan(codec.schemaJson().length() / 3);
        assertThat(PayloadCodec.inflate(codec.payloadSchema())).isEqualTo(codec.schemaJson());
        assertThat(codec.schemaJson()).contains("a wide record");
    }
}
