package io.envelopecrypt.connect.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.testing.TestKeys;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that parses untrusted bytes: the plaintext decoder (with a
 * rich schema and schemaless), the compressed payload schema, and whole envelopes as a sink receives them.
 * The only exception allowed out is Connect's {@link DataException} (and its subclasses), which the worker
 * turns into a dead-letter record; anything else is a finding.
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
    private static final Struct VALID_ENVELOPE;

    static {
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

    /** Runs the decoder; a DataException is the documented way to refuse input. */
    private static void decodeOrRefuse(Runnable decoder) {
        try {
            decoder.run();
        } catch (DataException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a message", refused);
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void plaintextDecoder(byte[] input) {
        decodeOrRefuse(() -> RICH_CODEC.decode(input));
        decodeOrRefuse(() -> PayloadCodec.SCHEMALESS.decode(input));
    }

    @FuzzTest(maxDuration = "60s")
    void payloadSchemaAndPlaintext(FuzzedDataProvider data) {
        boolean deflateIt = data.consumeBoolean();
        String schemaText = data.consumeString(4096);
        byte[] plaintext = data.consumeRemainingAsBytes();
        byte[] carried = deflateIt ? PayloadCodec.deflate(schemaText) : schemaText.getBytes(StandardCharsets.UTF_8);
        decodeOrRefuse(() -> PayloadCodec.fromPayloadSchema(carried).decode(plaintext));
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
        decodeOrRefuse(() -> DECRYPT.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, fields)));
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
            decodeOrRefuse(() -> DECRYPT.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, envelope.schema(), envelope)));
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
