package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.testing.ConnectAssertions;
import io.envelopecrypt.connect.testing.RandomConnectData;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static io.envelopecrypt.connect.testing.ConnectAssertions.assertSchemaEquals;
import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {
    private final EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
    private final DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();

    @BeforeEach
    void configure() {
        // Many data keys, and a reader that must evict and unwrap again: not every record under one key.
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "97"));
        decrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.cache.max.entries", "8"));
    }

    @AfterEach
    void close() {
        encrypt.close();
        decrypt.close();
    }

    @Test
    void tenThousandRandomRecordsOfMixedShapesRoundTripExactly() {
        int checked = 0;
        for (long seed = 0; seed < 11_000; seed++) {
            RandomConnectData gen = new RandomConnectData(seed);
            Schema schema;
            Object value;
            switch ((int) (seed % 4)) {
                case 0, 1 -> {
                    schema = gen.valueSchema();
                    value = gen.value(schema);
                }
                case 2 -> {
                    schema = null;
                    value = gen.schemalessMap(0, seed % 8 != 2);
                }
                default -> {
                    schema = null;
                    value = gen.schemalessValue(1);
                }
            }
            if (value == null) {
                continue;
            }
            SourceRecord original = record(schema, value, gen.random().nextLong());
            SourceRecord snapshot = copy(original);
            try {
                SourceRecord encrypted = encrypt.apply(original);
                assertThat(encrypted.valueSchema().name()).isEqualTo(EnvelopeSchema.DEFAULT_NAME);
                SourceRecord decrypted = decrypt.apply(encrypted);
                assertSchemaEquals(schema, decrypted.valueSchema());
                assertDeepEquals(value, decrypted.value());
                // Structs are filled without Struct.put's checks: they must pass Connect's own validation.
                ((Struct) encrypted.value()).validate();
                if (decrypted.value() instanceof Struct struct) {
                    struct.validate();
                }
                assertSameEnvelopeOfRecord(original, decrypted);
                assertSameEnvelopeOfRecord(original, encrypted);
                assertDeepEquals(snapshot.value(), original.value());
                assertThat(original.headers()).isEqualTo(snapshot.headers());
                checked++;
            } catch (Throwable e) {
                throw new AssertionError("seed " + seed + " schema " + schema, e);
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(10_000);
        assertThat(encrypt.dataKeysCreated()).as("data keys used").isGreaterThanOrEqualTo(checked / 97);
        assertThat(decrypt.unwraps()).as("unwraps, with evictions").isGreaterThanOrEqualTo(encrypt.dataKeysCreated());
    }

    @Test
    void primitivesStringsAndBytesRoundTripWithAndWithoutSchemas() {
        List<Object[]> cases = List.of(
                new Object[] {Schema.STRING_SCHEMA, "plain text with ünïcödé 😀"},
                new Object[] {null, "schemaless string"},
                new Object[] {Schema.BYTES_SCHEMA, new byte[] {0, 1, 2, (byte) 255}},
                new Object[] {null, new byte[] {9, 8, 7}},
                new Object[] {Schema.INT64_SCHEMA, 42L},
                new Object[] {null, 42},
                new Object[] {Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NaN},
                new Object[] {Schema.BOOLEAN_SCHEMA, true},
                new Object[] {null, false},
                new Object[] {SchemaBuilder.array(Schema.STRING_SCHEMA).build(), List.of("a", "b")},
                new Object[] {null, List.of(1L, "two", 3.0)});
        for (Object[] c : cases) {
            Schema schema = (Schema) c[0];
            SourceRecord decrypted = decrypt.apply(encrypt.apply(record(schema, c[1], 1L)));
            assertThat(decrypted.valueSchema()).isEqualTo(schema);
            assertDeepEquals(c[1], decrypted.value());
        }
    }

    @Test
    void tombstonesPassThroughBothWaysUntouched() {
        SourceRecord tombstone = record(null, null, 5L);
        assertThat(encrypt.apply(tombstone)).isSameAs(tombstone);
        assertThat(decrypt.apply(tombstone)).isSameAs(tombstone);
        SourceRecord withSchema = new SourceRecord(Map.of(), Map.of(), "t", 0, Schema.STRING_SCHEMA, "k",
                Schema.OPTIONAL_STRING_SCHEMA, null);
        assertThat(encrypt.apply(withSchema)).isSameAs(withSchema);
    }

    @Test
    void sinkRecordsKeepTheirOffsets() {
        EncryptPayload<SinkRecord> enc = new EncryptPayload<>();
        DecryptPayload<SinkRecord> dec = new DecryptPayload<>();
        enc.configure(TestKeys.localConfig());
        dec.configure(TestKeys.localConfig());
        SinkRecord in = new SinkRecord("payments", 3, Schema.STRING_SCHEMA, "key", Schema.STRING_SCHEMA, "v", 1234L);
        SinkRecord out = dec.apply(enc.apply(in));
        assertThat(out.kafkaOffset()).isEqualTo(1234L);
        assertThat(out.kafkaPartition()).isEqualTo(3);
        assertThat(out.value()).isEqualTo("v");
        enc.close();
        dec.close();
    }

    @Test
    void theEnvelopeHoldsNoPlaintext() {
        Schema schema = SchemaBuilder.struct().name("com.example.Payment")
                .field("card", Schema.STRING_SCHEMA).field("cvv", Schema.STRING_SCHEMA).build();
        Struct value = new Struct(schema).put("card", "4111111111111111").put("cvv", "737");
        Struct envelope = (Struct) encrypt.apply(record(schema, value, 1L)).value();
        String all = envelope.toString() + new String(envelope.getBytes("encryptedPayload"), StandardCharsets.ISO_8859_1);
        assertThat(all).doesNotContain("4111111111111111");
        assertThat(io.envelopecrypt.connect.payload.PayloadCodec.inflate(envelope.getBytes("payloadSchema")))
                .contains("card").doesNotContain("4111");
    }

    static SourceRecord record(Schema schema, Object value, long seed) {
        Headers headers = new ConnectHeaders().addString("trace-id", "t-" + seed).addLong("n", seed);
        return new SourceRecord(Map.of("source", "test"), Map.of("offset", seed), "payments", (int) (Math.abs(seed) % 3),
                Schema.STRING_SCHEMA, "key-" + seed, schema, value, 1_700_000_000_000L + (seed & 0xFFFF), headers);
    }

    static SourceRecord copy(SourceRecord r) {
        ConnectHeaders headers = new ConnectHeaders();
        r.headers().forEach(h -> headers.add(h.key(), h.value(), h.schema()));
        return new SourceRecord(r.sourcePartition(), r.sourceOffset(), r.topic(), r.kafkaPartition(), r.keySchema(),
                r.key(), r.valueSchema(), ConnectAssertions.snapshot(r.value()), r.timestamp(), headers);
    }

    static void assertSameEnvelopeOfRecord(SourceRecord expected, SourceRecord actual) {
        assertThat(actual.topic()).isEqualTo(expected.topic());
        assertThat(actual.kafkaPartition()).isEqualTo(expected.kafkaPartition());
        assertThat(actual.key()).isEqualTo(expected.key());
        assertThat(actual.keySchema()).isEqualTo(expected.keySchema());
        assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
        assertThat(actual.headers()).isEqualTo(expected.headers());
        assertThat(actual.sourcePartition()).isEqualTo(expected.sourcePartition());
        assertThat(actual.sourceOffset()).isEqualTo(expected.sourceOffset());
    }
}
