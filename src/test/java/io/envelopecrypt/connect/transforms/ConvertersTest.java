package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static org.assertj.core.api.Assertions.assertThat;

/** Envelopes survive the converters users put between the two transforms. */
class ConvertersTest {
    private final EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
    private final DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();

    ConvertersTest() {
        encrypt.configure(TestKeys.localConfig());
        decrypt.configure(TestKeys.localConfig());
    }

    @AfterEach
    void close() {
        encrypt.close();
        decrypt.close();
    }

    private static JsonConverter json(boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", schemas, "converter.type", "value"));
        return c;
    }

    @Test
    void schemalessJsonEnvelopesDecrypt() {
        Map<String, Object> value = Map.of("card", "4111111111111111", "amount", 12.5, "items", List.of(1L, 2L));
        SourceRecord encrypted = encrypt.apply(RoundTripTest.record(null, value, 1));
        JsonConverter converter = json(false);
        byte[] wire = converter.fromConnectData("payments", encrypted.valueSchema(), encrypted.value());
        SchemaAndValue read = converter.toConnectData("payments", wire);
        assertThat(read.value()).isInstanceOf(Map.class);
        SourceRecord decrypted = decrypt.apply(encrypted.newRecord(encrypted.topic(), encrypted.kafkaPartition(),
                encrypted.keySchema(), encrypted.key(), read.schema(), read.value(), encrypted.timestamp()));
        assertThat(decrypted.valueSchema()).isNull();
        assertDeepEquals(value, decrypted.value());
    }

    @Test
    void jsonWithSchemasEnvelopesDecrypt() {
        Schema schema = SchemaBuilder.struct().name("com.example.P").field("card", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(schema).put("card", "4111111111111111");
        SourceRecord encrypted = encrypt.apply(RoundTripTest.record(schema, value, 2));
        JsonConverter converter = json(true);
        SchemaAndValue read = converter.toConnectData("payments",
                converter.fromConnectData("payments", encrypted.valueSchema(), encrypted.value()));
        SourceRecord decrypted = decrypt.apply(encrypted.newRecord(encrypted.topic(), encrypted.kafkaPartition(),
                encrypted.keySchema(), encrypted.key(), read.schema(), read.value(), encrypted.timestamp()));
        assertThat(decrypted.valueSchema()).isEqualTo(schema);
        assertDeepEquals(value, decrypted.value());
    }

    @Test
    void avroConverterStyleByteBuffersAndForeignSchemaInstancesDecrypt() {
        // Avro converters hand back bytes fields as ByteBuffer, under a schema object of their own.
        SourceRecord encrypted = encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "hello", 3));
        Struct original = (Struct) encrypted.value();
        SchemaBuilder copyBuilder = SchemaBuilder.struct().name(original.schema().name()).version(1);
        for (Field f : original.schema().fields()) {
            copyBuilder.field(f.name(), f.schema());
        }
        Schema foreign = copyBuilder.build();
        Struct converted = new Struct(foreign);
        for (Field f : original.schema().fields()) {
            Object v = original.get(f);
            converted.put(f.name(), v instanceof byte[] b ? ByteBuffer.wrap(b) : v);
        }
        SourceRecord decrypted = decrypt.apply(encrypted.newRecord(encrypted.topic(), encrypted.kafkaPartition(),
                encrypted.keySchema(), encrypted.key(), foreign, converted, encrypted.timestamp()));
        assertThat(decrypted.value()).isEqualTo("hello");
    }
}
