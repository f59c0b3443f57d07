package io.envelopecrypt.connect.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.crypto.SealingKey;
import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.engine.PlaintextValue;
import io.envelopecrypt.connect.envelope.AssociatedData;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCompression;
import io.envelopecrypt.connect.testing.ConnectAssertions;
import io.envelopecrypt.connect.testing.InMemoryKekProvider;
import io.envelopecrypt.connect.testing.TestKeys;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that parses untrusted bytes: the plaintext decoder (with a
 * rich schema and schemaless), the compressed payload schema, whole envelopes as a sink receives them, and
 * plaintexts sealed under a data key the reader holds (what a data-key holder can send past authentication),
 * compressed or not by each codec of {@code payload.compression}.
 *
 * <p>A refusal must be the project's own {@link DataException}, thrown on purpose: one whose causes include a
 * NullPointerException, ClassCastException, index or arithmetic error and the like (sanitized or not) is a bug
 * dressed up as a refusal, and a finding. What decodes must be a valid value of the schema it came with (the
 * checks {@code Struct.put} would have made) and must survive re-encoding and decoding unchanged.
 *
 * <p>{@code mvn test} replays the committed corpus (src/test/resources/.../DecoderFuzzTestInputs) and
 * what earlier fuzzing found; {@code scripts/fuzz.sh} fuzzes each target for a time budget.
 */
class DecoderFuzzTest {
    static final Schema ADDRESS = SchemaBuilder.struct().name("com.example.Address")
            .field("street", Schema.STRING_SCHEMA).field("zip", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema RICH = SchemaBuilder.struct().name("com.example.Rich").version(2).doc("fuzz target")
            .field("id", Schema.INT64_SCHEMA)
            .field("small", Schema.INT8_SCHEMA)
            .field("mid", SchemaBuilder.int16().defaultValue((short) 7).build())
            .field("amount", Decimal.schema(2))
            .field("day", Date.builder().optional().build())
            .field("at", Timestamp.SCHEMA)
            .field("ratio", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("flag", Schema.BOOLEAN_SCHEMA)
            .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("byId", SchemaBuilder.map(Schema.INT32_SCHEMA, ADDRESS).optional().build())
            .field("byName", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build())
            .field("home", ADDRESS)
            .build();
    static final PayloadCodec RICH_CODEC = PayloadCodec.forSchema(RICH);
    private static final DecryptPayload<SourceRecord> DECRYPT = new DecryptPayload<>();
    private static final InMemoryKekProvider KEK = new InMemoryKekProvider("fuzz");
    private static final EnvelopeDecryptor ENGINE = new EnvelopeDecryptor(KEK.sameKey(), 10, 3_600_000L, Clock.systemUTC());
    private static final SealingKey DATA_KEY;
    private static final WrappedKey WRAPPED;
    private static final Struct VALID_ENVELOPE;

    static {
        byte[] material = new byte[AesGcmKey.KEY_BYTES];
        new java.security.SecureRandom().nextBytes(material);
        WRAPPED = KEK.wrap(material.clone());
        DATA_KEY = new SealingKey(material, 0x00f0220f);
        DECRYPT.configure(TestKeys.localConfig());
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
        encrypt.configure(TestKeys.localConfig());
        VALID_ENVELOPE = (Struct) encrypt.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, RICH, sample())).value();
        encrypt.close();
    }

    static Struct sample() {
        return new Struct(RICH).put("id", 42L).put("small", (byte) 1).put("amount", new BigDecimal("12.34"))
                .put("at", new java.util.Date(1_700_000_000_000L)).put("flag", true).put("tags", List.of("a", "b"))
                .put("byName", Map.of("k", "v")).put("byId", Map.of(1, new Struct(ADDRESS).put("street", "s")))
                .put("home", new Struct(ADDRESS).put("street", "Main Street 1"));
    }

    /** Exceptions that mean a bug wherever they appear among a refusal's causes (sanitized ones by class name). */
    private static final Set<String> BUGS = Set.of("java.lang.NullPointerException", "java.lang.ClassCastException",
            "java.lang.ArrayIndexOutOfBoundsException", "java.lang.IndexOutOfBoundsException",
            "java.lang.StringIndexOutOfBoundsException", "java.lang.NegativeArraySizeException",
            "java.lang.ArrayStoreException", "java.lang.ArithmeticException", "java.lang.IllegalStateException",
            "java.lang.UnsupportedOperationException", "java.util.ConcurrentModificationException",
            "java.util.NoSuchElementException", "java.lang.NumberFormatException");
    private static final Object REFUSED = new Object();

    /** Runs the decoder: its value, or {@link #REFUSED} for a deliberate refusal; anything else is a finding. */
    static Object decodeOrRefuse(Supplier<Object> decoder) {
        try {
            return decoder.get();
        } catch (DataException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a message", refused);
            }
            for (Throwable t = refused; t != null; t = t.getCause() == t ? null : t.getCause()) {
                String type = t instanceof SanitizedCause ? t.getMessage() : t.getClass().getName();
                if (BUGS.contains(type)) {
                    throw new AssertionError("a refusal caused by " + type + ": a bug, not a decision", refused);
                }
            }
            return REFUSED;
        }
    }

    /** A decoded value must be valid for its schema and survive {@code decode(encode(value))} unchanged. */
    static void checkDecoded(PayloadCodec codec, Schema schema, Object value) {
        if (value == REFUSED) {
            return;
        }
        if (schema != null) {
            try {
                ConnectSchema.validateValue(schema, value);
            } catch (DataException invalid) {
                throw new AssertionError("a decoded value is not valid for its own schema: " + invalid.getMessage(), invalid);
            }
        }
        Object again = codec.decode(codec.encode(value));
        String difference = ConnectAssertions.difference("value", value, again);
        if (difference != null) {
            throw new AssertionError("decode(encode(decoded value)) differs: " + difference);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void plaintextDecoder(byte[] input) {
        checkDecoded(RICH_CODEC, RICH, decodeOrRefuse(() -> RICH_CODEC.decode(input)));
        checkDecoded(PayloadCodec.SCHEMALESS, null, decodeOrRefuse(() -> PayloadCodec.SCHEMALESS.decode(input)));
    }

    @FuzzTest(maxDuration = "60s")
    void payloadSchemaAndPlaintext(FuzzedDataProvider data) {
        boolean deflateIt = data.consumeBoolean();
        String schemaText = data.consumeString(4096);
        byte[] plaintext = data.consumeRemainingAsBytes();
        byte[] carried = deflateIt ? PayloadCodec.deflate(schemaText) : schemaText.getBytes(StandardCharsets.UTF_8);
        Object codec = decodeOrRefuse(() -> PayloadCodec.fromPayloadSchema(carried));
        if (codec instanceof PayloadCodec c) {
            checkDecoded(c, c.connectSchema(), decodeOrRefuse(() -> c.decode(plaintext)));
        }
    }

    /**
     * What only a holder of a data key can send: any payload schema and plaintext, sealed under a data key the
     * reader unwraps, so that everything behind the authentication tag is fuzzed through the reading engine.
     */
    @FuzzTest(maxDuration = "60s")
    void authenticatedPlaintext(FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 2);
        // Any compression, so that the decompressors (bounded by what they declare) are fuzzed past authentication.
        PayloadCompression compression = PayloadCompression.values()[data.consumeInt(0, PayloadCompression.values().length - 1)];
        String format = (kind == 1 ? PayloadCodec.FORMAT_AVRO_SCHEMALESS : PayloadCodec.FORMAT_AVRO) + compression.formatSuffix();
        byte[] payloadSchema = switch (kind) {
            case 0 -> RICH_CODEC.payloadSchema();
            case 1 -> null;
            default -> PayloadCodec.deflate(data.consumeString(4096));
        };
        byte[] plaintext = data.consumeRemainingAsBytes();
        AssociatedData aad = AssociatedData.compute(EnvelopeSchema.VERSION, "fuzz", 1L, null, null, AesGcmKey.ALGORITHM,
                format, payloadSchema, null);
        SealingKey.Sealed sealed = DATA_KEY.seal(aad.buffer(), aad.length(), plaintext, 0, plaintext.length);
        Envelope envelope = new Envelope(EnvelopeSchema.VERSION, "fuzz", 1L, null, sealed.ciphertext(), WRAPPED.keyId(),
                AesGcmKey.ALGORITHM, sealed.iv(), null, WRAPPED.wrapped(), WRAPPED.algorithm(), format, payloadSchema,
                null, DATA_KEY.commitment());
        Object opened = decodeOrRefuse(() -> ENGINE.decrypt(envelope));
        if (opened instanceof PlaintextValue p) {
            PayloadCodec codec;
            try {
                codec = p.schema() == null ? PayloadCodec.SCHEMALESS : PayloadCodec.forSchema(p.schema());
            } catch (DataException writerRefuses) {
                return; // a schema the reader accepts but no writer would produce: nothing to round-trip
            }
            checkDecoded(codec, p.schema(), p.value());
        }
    }

    @FuzzTest(maxDuration = "60s")
    void envelopeAtTheSink(FuzzedDataProvider data) {
        Map<String, Object> fields = new HashMap<>();
        for (Field f : VALID_ENVELOPE.schema().fields()) {
            Object valid = VALID_ENVELOPE.get(f);
            switch (data.consumeInt(0, 7)) {
                case 0 -> fields.put(f.name(), valid);
                case 1 -> fields.put(f.name(), null);
                case 2 -> fields.put(f.name(), data.consumeString(64));
                case 3 -> fields.put(f.name(), data.consumeBytes(64));
                case 4 -> fields.put(f.name(), data.consumeLong());
                case 5 -> fields.put(f.name(), Map.of(data.consumeString(8), data.consumeString(8)));
                case 6 -> fields.put(f.name(), mutate(valid, data));
                default -> fields.put(f.name(), data.consumeInt());
            }
        }
        checkRecord(decodeOrRefuse(() -> DECRYPT.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, fields))));
        if (data.consumeBoolean()) {
            Struct envelope = new Struct(VALID_ENVELOPE.schema());
            for (Field f : envelope.schema().fields()) {
                Object v = fields.get(f.name());
                try {
                    envelope.put(f, v);
                } catch (DataException wrongType) {
                    envelope.put(f, VALID_ENVELOPE.get(f));
                }
            }
            checkRecord(decodeOrRefuse(() -> DECRYPT.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, envelope.schema(),
                    envelope))));
        }
    }

    /** A record the sink decrypted: its value must be valid for its schema and round-trip. */
    private static void checkRecord(Object result) {
        if (result instanceof SourceRecord r && r.value() != null) {
            checkDecoded(r.valueSchema() == null ? PayloadCodec.SCHEMALESS : PayloadCodec.forSchema(r.valueSchema()),
                    r.valueSchema(), r.value());
        }
    }

    private static Object mutate(Object valid, FuzzedDataProvider data) {
        if (valid instanceof byte[] b && b.length > 0) {
            byte[] copy = b.clone();
            copy[data.consumeInt(0, copy.length - 1)] ^= (byte) data.consumeInt(1, 255);
            return copy;
        }
        if (valid instanceof String s) {
            return s + data.consumeString(4);
        }
        return valid;
    }

}
