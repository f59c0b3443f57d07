package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeLimits;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.testing.InMemoryKekProvider;
import io.envelopecrypt.connect.testing.MutableClock;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static io.envelopecrypt.connect.testing.ConnectAssertions.assertSchemaEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the writer writes, every reader reads: shapes real converters build, and the readers' size limits. */
class WriterReaderAgreementTest {
    private final MutableClock clock = new MutableClock(1_000_000L);
    private final InMemoryKekProvider kek = new InMemoryKekProvider("agreement");
    private final EnvelopeEncryptor encryptor = new EnvelopeEncryptor(kek, 100, 60_000, clock, new SecureRandom());
    private final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(kek.sameKey(), 100, 60_000, clock);

    @AfterEach
    void close() {
        encryptor.close();
        decryptor.close();
    }

    private static EnvelopeHeader header(String id, String eventType, Map<String, String> metadata) {
        return new EnvelopeHeader(id, 1L, eventType, metadata);
    }

    /** Through the envelope Struct, as a converter would carry it, and back. */
    private Envelope viaStruct(Envelope e) {
        Schema envelopeSchema = EnvelopeSchema.build(EnvelopeSchema.DEFAULT_NAME);
        return EnvelopeCodec.read(EnvelopeCodec.toStruct(e, envelopeSchema));
    }

    /**
     * Avro converters turn a record field with a default into a Struct schema whose default is a Struct built
     * against the schema builder itself (new Struct(builder), then builder.defaultValue(struct)).
     */
    @Test
    void aStructFieldWithAStructDefaultRoundTrips() {
        SchemaBuilder address = SchemaBuilder.struct().name("com.example.Address")
                .field("city", Schema.STRING_SCHEMA).field("zip", Schema.OPTIONAL_STRING_SCHEMA);
        Struct unknown = new Struct(address).put("city", "unknown");
        address.defaultValue(unknown);
        Schema addressWithDefault = address.build();
        Schema payment = SchemaBuilder.struct().name("com.example.Payment")
                .field("id", Schema.STRING_SCHEMA).field("address", addressWithDefault).build();
        Struct value = new Struct(payment).put("id", "p-1")
                .put("address", new Struct(addressWithDefault).put("city", "Oslo").put("zip", "0150"));

        PlaintextValue back = decryptor.decrypt(viaStruct(encryptor.encrypt(payment, value, header("id-1", null, null))));

        assertSchemaEquals(payment, back.schema());
        assertDeepEquals(value, back.value());
        Struct defaultBack = (Struct) back.schema().field("address").schema().defaultValue();
        assertThat(defaultBack.getString("city")).isEqualTo("unknown");
        assertThat(defaultBack.getString("zip")).isNull();
    }

    @Test
    void theWriterRefusesHeadersThatReadersWouldRefuseWithoutQuotingThem() {
        String tooLong = "x".repeat(EnvelopeLimits.MAX_STRING_CHARS + 1);
        String longest = "y".repeat(EnvelopeLimits.MAX_STRING_CHARS);
        Map<String, String> tooMany = new LinkedHashMap<>();
        for (int i = 0; i <= EnvelopeLimits.MAX_METADATA_ENTRIES; i++) {
            tooMany.put("k" + i, "v");
        }
        for (EnvelopeHeader bad : new EnvelopeHeader[] {
            header(tooLong, null, null), header("id", tooLong, null), header("id", null, Map.of("tenant", tooLong)),
            header("id", null, Map.of(tooLong, "v")), header("id", null, tooMany)}) {
            assertThatThrownBy(() -> encryptor.encrypt(Schema.STRING_SCHEMA, "secret", bad))
                    .isInstanceOf(DataException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("xxxxxxxxxx").doesNotContain("secret"));
        }
        // The longest values a reader accepts are written, and read.
        Envelope e = encryptor.encrypt(Schema.STRING_SCHEMA, "ok", header(longest, longest, Map.of("tenant", longest)));
        assertThat(decryptor.decrypt(viaStruct(e)).value()).isEqualTo("ok");
    }
}
