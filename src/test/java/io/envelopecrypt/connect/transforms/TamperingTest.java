package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.engine.DataKeyRejectedException;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Every change to an envelope is detected, and no failure message carries the plaintext. */
class TamperingTest {
    private static final String CARD = "4111111111111111";
    private static final Schema PAYMENT = SchemaBuilder.struct().name("com.example.Payment")
            .field("card", Schema.STRING_SCHEMA).field("amount", Decimal.schema(2)).build();

    private final EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
    private final DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
    private Struct envelope;
    private SourceRecord encrypted;

    @BeforeEach
    void setUp() {
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "1",
                "envelope.event.type", "static:payment.created", "envelope.metadata", "source=static:web,env=static:test",
                "envelope.context", "topic"));
        decrypt.configure(TestKeys.localConfig());
        encrypted = encrypt.apply(payment(1));
        envelope = (Struct) encrypted.value();
    }

    @AfterEach
    void tearDown() {
        encrypt.close();
        decrypt.close();
    }

    private static SourceRecord payment(long i) {
        Struct value = new Struct(PAYMENT).put("card", CARD).put("amount", new BigDecimal("12.3" + i));
        return RoundTripTest.record(PAYMENT, value, i);
    }

    private Struct modified(Consumer<Struct> change) {
        Struct copy = new Struct(envelope.schema());
        for (Field f : envelope.schema().fields()) {
            Object v = envelope.get(f);
            copy.put(f, v instanceof byte[] b ? b.clone() : v instanceof Map<?, ?> m ? new HashMap<>(m) : v);
        }
        change.accept(copy);
        return copy;
    }

    /** What each kind of tampering must end in: the project's own exception, thrown on purpose. */
    private static final Class<? extends DataException> AUTHENTICATION = EnvelopeAuthenticationException.class;
    private static final Class<? extends DataException> MALFORMED = MalformedEnvelopeException.class;
    private static final Class<? extends DataException> KEY_REJECTED = DataKeyRejectedException.class;

    private void assertRejected(Struct tampered) {
        assertRejected(tampered, AUTHENTICATION);
    }

    private void assertRejected(Struct tampered, Class<? extends DataException> expected) {
        SourceRecord record = encrypted.newRecord(encrypted.topic(), encrypted.kafkaPartition(), encrypted.keySchema(),
                encrypted.key(), encrypted.valueSchema(), tampered, encrypted.timestamp());
        Throwable thrown = catchThrowable(() -> decrypt.apply(record));
        assertThat(thrown).isInstanceOf(expected);
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(CARD).doesNotContain("12.31");
        }
    }

    @Test
    void theUntamperedEnvelopeDecrypts() {
        assertThat(((Struct) decrypt.apply(encrypted).value()).getString("card")).isEqualTo(CARD);
    }

    @Test
    void flippingAnyBitOfAnyByteField() {
        // The payload schema is authenticated before it is parsed: every flip is an authentication failure.
        Map<String, Class<? extends DataException>> expected = Map.of(EnvelopeSchema.ENCRYPTED_PAYLOAD, AUTHENTICATION,
                EnvelopeSchema.IV, AUTHENTICATION, EnvelopeSchema.PAYLOAD_SCHEMA, AUTHENTICATION,
                EnvelopeSchema.WRAPPED_DATA_KEY, KEY_REJECTED, EnvelopeSchema.DATA_KEY_COMMITMENT, AUTHENTICATION);
        expected.forEach((field, failure) -> {
            int bits = envelope.getBytes(field).length * 8;
            for (int bit = 0; bit < bits; bit++) {
                int b = bit;
                assertRejected(modified(s -> s.getBytes(field)[b / 8] ^= (byte) (1 << (b % 8))), failure);
            }
        });
    }

    @Test
    void flippingAnyBitOfAnyStringField() {
        Map<String, Class<? extends DataException>> expected = Map.of(EnvelopeSchema.ID, AUTHENTICATION,
                EnvelopeSchema.EVENT_TYPE, AUTHENTICATION, EnvelopeSchema.CONTEXT, AUTHENTICATION,
                EnvelopeSchema.KEY_ID, KEY_REJECTED,
                EnvelopeSchema.ENCRYPTION_ALGORITHM, MALFORMED, EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM, KEY_REJECTED,
                EnvelopeSchema.PAYLOAD_FORMAT, MALFORMED);
        for (String field : expected.keySet()) {
            byte[] original = envelope.getString(field).getBytes(StandardCharsets.UTF_8);
            for (int bit = 0; bit < original.length * 8; bit++) {
                byte[] flipped = original.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                String changed = new String(flipped, StandardCharsets.UTF_8);
                if (changed.equals(envelope.getString(field))) {
                    continue; // the flip produced the same string after UTF-8 replacement
                }
                assertRejected(modified(s -> s.put(field, changed)), expected.get(field));
            }
        }
    }

    @Test
    void changingNumbersNullsAndMetadata() {
        assertRejected(modified(s -> s.put(EnvelopeSchema.TIMESTAMP, envelope.getInt64(EnvelopeSchema.TIMESTAMP) + 1)));
        for (int bit = 0; bit < 64; bit++) {
            long t = envelope.getInt64(EnvelopeSchema.TIMESTAMP) ^ (1L << bit);
            assertRejected(modified(s -> s.put(EnvelopeSchema.TIMESTAMP, t)));
        }
        assertRejected(modified(s -> s.put(EnvelopeSchema.ENVELOPE_VERSION, 1)), MALFORMED);
        assertRejected(modified(s -> s.put(EnvelopeSchema.ENVELOPE_VERSION, 3)), MALFORMED);
        assertRejected(modified(s -> s.put(EnvelopeSchema.EVENT_TYPE, null)));
        assertRejected(modified(s -> s.put(EnvelopeSchema.CONTEXT, null)));
        assertRejected(modified(s -> s.put(EnvelopeSchema.DATA_KEY_COMMITMENT, new byte[31])), MALFORMED);
        assertRejected(modified(s -> s.put(EnvelopeSchema.METADATA, null)));
        assertRejected(modified(s -> s.put(EnvelopeSchema.METADATA, Map.of("source", "web"))));
        assertRejected(modified(s -> s.put(EnvelopeSchema.METADATA, Map.of("source", "web", "env", "prod"))));
        assertRejected(modified(s -> s.put(EnvelopeSchema.METADATA, Map.of("source", "web", "env", "test", "x", "y"))));
        assertRejected(modified(s -> s.put(EnvelopeSchema.PAYLOAD_SCHEMA, null)), MALFORMED);
        assertRejected(modified(s -> s.put(EnvelopeSchema.PAYLOAD_FORMAT, "avro-schemaless")), MALFORMED);
        assertRejected(modified(s -> s.put(EnvelopeSchema.ENCRYPTED_PAYLOAD, new byte[0])), MALFORMED);
        assertRejected(modified(s -> s.put(EnvelopeSchema.IV, new byte[16])), MALFORMED);
    }

    @Test
    void swappingIvsOrWrappedKeysBetweenEnvelopesFails() {
        Struct other = (Struct) encrypt.apply(payment(2)).value();
        assertThat(other.getBytes(EnvelopeSchema.WRAPPED_DATA_KEY)).isNotEqualTo(envelope.getBytes(EnvelopeSchema.WRAPPED_DATA_KEY));
        assertRejected(modified(s -> s.put(EnvelopeSchema.IV, other.getBytes(EnvelopeSchema.IV))));
        assertRejected(modified(s -> s.put(EnvelopeSchema.WRAPPED_DATA_KEY, other.getBytes(EnvelopeSchema.WRAPPED_DATA_KEY))));
        assertRejected(modified(s -> s.put(EnvelopeSchema.ENCRYPTED_PAYLOAD, other.getBytes(EnvelopeSchema.ENCRYPTED_PAYLOAD))));
    }

    @Test
    void replayingAnEnvelopeUnderAnotherEnvelopesHeaderFails() {
        Struct other = (Struct) encrypt.apply(payment(2)).value();
        assertRejected(modified(s -> s.put(EnvelopeSchema.ID, other.getString(EnvelopeSchema.ID))));
        assertRejected(modified(s -> {
            s.put(EnvelopeSchema.ID, other.getString(EnvelopeSchema.ID));
            s.put(EnvelopeSchema.TIMESTAMP, other.getInt64(EnvelopeSchema.TIMESTAMP));
        }));
    }

    @Test
    void aDifferentKeyCannotDecrypt() {
        DecryptPayload<SourceRecord> stranger = new DecryptPayload<>();
        stranger.configure(TestKeys.localConfig(TestKeys.OTHER_LOCAL_KEY));
        assertThatThrownBy(() -> stranger.apply(encrypted)).isInstanceOf(DataException.class)
                .hasMessageContaining("none of them a key-encryption key this reader may use");
        stranger.close();
    }

    @Test
    void nonEnvelopesFailOrPassThroughAsConfigured() {
        SourceRecord plain = RoundTripTest.record(Schema.STRING_SCHEMA, "not an envelope " + CARD, 1);
        assertThatThrownBy(() -> decrypt.apply(plain)).isInstanceOf(DataException.class)
                .hasMessageContaining("not an envelope").hasMessageNotContaining(CARD);
        DecryptPayload<SourceRecord> lenient = new DecryptPayload<>();
        lenient.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "on.non.envelope", "pass-through"));
        SourceRecord passed = lenient.apply(plain);
        assertThat(passed.value()).isSameAs(plain.value());
        assertThat(passed.headers().lastWithName(AbstractDecryptPayload.PASS_THROUGH_HEADER).value())
                .as("marked, so nothing downstream takes it for a decrypted value").isEqualTo("not-an-envelope");
        assertThat(plain.headers().lastWithName(AbstractDecryptPayload.PASS_THROUGH_HEADER)).as("input untouched").isNull();
        assertThat(((Struct) lenient.apply(encrypted).value()).getString("card")).isEqualTo(CARD);
        lenient.close();
    }

    @Test
    void envelopesWithMissingOrMistypedFieldsAreRejectedByName() {
        Map<String, Object> map = new HashMap<>();
        map.put("envelopeVersion", 1);
        map.put("encryptedPayload", "AAAA");
        SourceRecord partial = RoundTripTest.record(null, map, 1);
        assertThatThrownBy(() -> decrypt.apply(partial)).isInstanceOf(DataException.class).hasMessageContaining("'id'");
        map.put("id", 5);
        assertThatThrownBy(() -> decrypt.apply(partial)).isInstanceOf(DataException.class)
                .hasMessageContaining("'id' field is not a string");
    }

    private void assertRejectedWith(Struct tampered, String message) {
        SourceRecord record = encrypted.newRecord(encrypted.topic(), encrypted.kafkaPartition(), encrypted.keySchema(),
                encrypted.key(), encrypted.valueSchema(), tampered, encrypted.timestamp());
        assertThatThrownBy(() -> decrypt.apply(record)).isInstanceOf(DataException.class).hasMessageContaining(message)
                .hasMessageNotContaining(CARD);
    }

    @Test
    void malformedEnvelopesAreRejectedWithTheReason() {
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.ENVELOPE_VERSION, 1)), "Unsupported envelope version 1");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.DATA_KEY_COMMITMENT, new byte[0])),
                "dataKeyCommitment is missing or not 32 bytes");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.ENCRYPTION_ALGORITHM, "AES-256-CBC")),
                "Unsupported encryption algorithm 'AES-256-CBC'");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.PAYLOAD_FORMAT, "protobuf")), "Unsupported payload format 'protobuf'");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.ENCRYPTED_PAYLOAD, new byte[15])), "shorter than the GCM tag");
        byte[] ciphertext = envelope.getBytes(EnvelopeSchema.ENCRYPTED_PAYLOAD);
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.ENCRYPTED_PAYLOAD,
                java.util.Arrays.copyOf(ciphertext, ciphertext.length - 1))), "failed authentication");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.IV, new byte[16])), "IV has 16 bytes");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.KEY_ID, "local:unknown")), "wrapped by 'local:unknown', none of them a key-encryption key this reader may use");
    }

    @Test
    void oversizedEnvelopeFieldsAreRefusedBeforeAnyWork() {
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.KEY_ID, "k".repeat(70_000))), "'keyId' field is longer than");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.WRAPPED_DATA_KEY, new byte[2048])),
                "'wrappedDataKey' field is longer than 1024 bytes");
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.PAYLOAD_SCHEMA, new byte[2 << 20])),
                "'payloadSchema' field is longer than");
        Map<String, String> huge = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            huge.put("k" + i, "v");
        }
        assertRejectedWith(modified(s -> s.put(EnvelopeSchema.METADATA, huge)), "metadata has more than 1024 entries");
    }

    @Test
    void valuesNoConverterCanProduceAreRejectedByTypeNotContent() {
        SourceRecord date = RoundTripTest.record(null, Map.of("id", java.util.UUID.randomUUID(), "card", CARD), 1);
        assertThatThrownBy(() -> encrypt.apply(date)).isInstanceOf(DataException.class)
                .hasMessageContaining("java.util.UUID").hasMessageNotContaining(CARD);
        Struct payment = new Struct(PAYMENT).put("card", CARD).put("amount", new BigDecimal("1.00"));
        SourceRecord nested = RoundTripTest.record(null, Map.of("payment", payment), 1);
        assertThatThrownBy(() -> encrypt.apply(nested)).isInstanceOf(DataException.class)
                .hasMessageContaining("needs a value schema").hasMessageNotContaining(CARD);
        SourceRecord mismatch = RoundTripTest.record(PAYMENT, Map.of("card", CARD), 1);
        assertThatThrownBy(() -> encrypt.apply(mismatch)).isInstanceOf(DataException.class).hasMessageNotContaining(CARD);
    }
}
