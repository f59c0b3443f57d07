package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.crypto.SealingKey;
import io.envelopecrypt.connect.envelope.AssociatedData;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.PayloadCodecCache;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.testing.InMemoryKekProvider;
import io.envelopecrypt.connect.testing.MutableClock;

import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Envelopes from someone who can write to the topic. Run by the build in a JVM of its own with a 256 MB heap
 * (the surefire execution "hostile-writer"), where the schema and defaults bombs of the security review
 * exhausted a 1 GB heap before they were fixed. Every case must end in the project's own DataException
 * within seconds; the timeouts only stop a regression from hanging the build.
 */
class HostileEnvelopeTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final MutableClock clock = new MutableClock(1_000_000L);
    private final InMemoryKekProvider kek = new InMemoryKekProvider("hostile");
    private final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(kek.sameKey(), 100, 60_000, clock);

    @AfterEach
    void close() {
        decryptor.close();
    }

    /** A 2^depth expansion in a few hundred bytes: each record refers twice to the one before it. */
    static String schemaBomb(int depth) {
        String inner = "{\"type\":\"record\",\"name\":\"R0\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}";
        for (int i = 1; i <= depth; i++) {
            inner = "{\"type\":\"record\",\"name\":\"R" + i + "\",\"fields\":[{\"name\":\"a\",\"type\":" + inner
                    + "},{\"name\":\"b\",\"type\":\"R" + (i - 1) + "\"}]}";
        }
        return inner;
    }

    /** A record whose connect.default declares an endless array of empty records in a few bytes. */
    static String defaultsBomb() {
        // Block counts of 65,535 items (zigzag varint fe ff 07), repeated, each item an empty record: zero bytes.
        byte[] blocks = new byte[3 * 1000 + 1];
        for (int i = 0; i < 1000; i++) {
            blocks[3 * i] = (byte) 0xfe;
            blocks[3 * i + 1] = (byte) 0xff;
            blocks[3 * i + 2] = 0x07;
        }
        String dflt = java.util.Base64.getEncoder().encodeToString(blocks);
        return "{\"type\":\"record\",\"name\":\"Outer\",\"fields\":[{\"name\":\"items\",\"type\":{\"type\":\"array\","
                + "\"items\":{\"type\":\"record\",\"name\":\"Empty\",\"fields\":[]},\"connect.default\":\"" + dflt + "\"}}]}";
    }


    /** An envelope whose data key the reader can unwrap, with the given payload schema and ciphertext. */
    private Envelope envelope(byte[] payloadSchema, byte[] ciphertext, byte[] iv, WrappedKey wrapped, byte[] commitment) {
        return new Envelope(EnvelopeSchema.VERSION, "hostile-1", 1L, null, ciphertext, wrapped.keyId(),
                AesGcmKey.ALGORITHM, iv, Map.of(), wrapped.wrapped(), wrapped.algorithm(), "avro", payloadSchema, null,
                commitment);
    }

    /** What a writer holding a data key (any decrypting reader) can make: a valid tag over any schema. */
    private Envelope sealedByADataKeyHolder(byte[] payloadSchema, byte[] plaintext) {
        byte[] dek = new byte[32];
        new SecureRandom().nextBytes(dek);
        WrappedKey wrapped = kek.wrap(dek);
        SealingKey key = new SealingKey(dek, 1);
        AssociatedData aad = AssociatedData.compute(EnvelopeSchema.VERSION, "hostile-1", 1L, null, null,
                AesGcmKey.ALGORITHM, "avro", payloadSchema, Map.of());
        SealingKey.Sealed sealed = key.seal(aad.buffer(), aad.length(), plaintext, 0, plaintext.length);
        return envelope(payloadSchema, sealed.ciphertext(), sealed.iv(), wrapped, key.commitment());
    }

    private Envelope withoutTheDataKey(byte[] payloadSchema) {
        byte[] dek = new byte[32];
        new SecureRandom().nextBytes(dek);
        byte[] garbage = new byte[64];
        new SecureRandom().nextBytes(garbage);
        // The commitment matches the data key, so the envelope gets as far as the tag check.
        byte[] commitment = new AesGcmKey(dek.clone()).commitment();
        return envelope(payloadSchema, garbage, new byte[12], kek.wrap(dek), commitment);
    }

    @Test
    void nothingIsParsedBeforeTheTagIsChecked() {
        byte[] notDeflate = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x00, 0x11};
        assertThatThrownBy(() -> decryptor.decrypt(withoutTheDataKey(notDeflate)))
                .as("a payload schema that is not even DEFLATE fails authentication, not parsing")
                .isInstanceOf(EnvelopeAuthenticationException.class);
    }

    @Test
    void aSchemaBombWithoutTheDataKeyFailsAuthentication() {
        byte[] bomb = PayloadCodec.deflate(schemaBomb(30));
        assertThat(bomb.length).isLessThan(600);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> decryptor.decrypt(withoutTheDataKey(bomb)))
                .isInstanceOf(EnvelopeAuthenticationException.class));
    }

    @Test
    void aSchemaBombFromADataKeyHolderBuildsEachNamedTypeOnce() {
        byte[] bomb = PayloadCodec.deflate(schemaBomb(30));
        byte[] plaintext = {2, 4, 6, 8};
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> decryptor.decrypt(sealedByADataKeyHolder(bomb, plaintext)))
                .as("the schema builds in linear time; the short plaintext then fails to decode")
                .isInstanceOf(DataException.class)
                .isNotInstanceOf(EnvelopeAuthenticationException.class)
                .hasMessageContaining("truncated"));
    }

    @Test
    void aDefaultsBombFromADataKeyHolderIsRefused() {
        byte[] bomb = PayloadCodec.deflate(defaultsBomb());
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> decryptor.decrypt(sealedByADataKeyHolder(bomb, new byte[] {0})))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("more items than its size allows"));
    }

    @Test
    void manyDistinctValidSchemasDoNotAccumulateWithoutBound() {
        // 300 distinct authenticated schemas of ~75,000 characters each: the cache holds at most 8 M of them.
        long oneSchema = 0;
        for (int n = 0; n < 300; n++) {
            StringBuilder fields = new StringBuilder();
            for (int f = 0; f < 2000; f++) {
                fields.append(f == 0 ? "" : ",").append("{\"name\":\"field_").append(n).append('_').append(f)
                        .append("\",\"type\":\"int\"}");
            }
            String schema = "{\"type\":\"record\",\"name\":\"Wide" + n + "\",\"fields\":[" + fields + "]}";
            oneSchema = schema.length();
            byte[] plaintext = new byte[2000];
            Envelope e = sealedByADataKeyHolder(PayloadCodec.deflate(schema), plaintext);
            assertThat(decryptor.decrypt(e).value()).isNotNull();
            assertThat(decryptor.cachedSchemaChars()).isLessThanOrEqualTo(PayloadCodecCache.MAX_SCHEMA_JSON_CHARS);
        }
        assertThat(decryptor.cachedSchemaChars()).as("bounded by size before the count bound of 256 is reached")
                .isLessThan(256L * oneSchema);
    }

    @Test
    void aFloodOfRandomWrappedKeysCostsABoundedNumberOfKekCallsAndTheReaderKeepsMoving() {
        InMemoryKekProvider reader = kek.sameKey();
        Envelope genuine;
        try (EnvelopeEncryptor writer = new EnvelopeEncryptor(kek.sameKey(), 100, 60_000, clock, new SecureRandom())) {
            genuine = writer.encrypt(null, Map.of("amount", 12), new io.envelopecrypt.connect.envelope.EnvelopeHeader(
                    "genuine", 1L, null, null));
        }
        try (EnvelopeDecryptor flooded = new EnvelopeDecryptor(reader, 100, 60_000, 20,
                EnvelopeContext.none(), clock)) {
            SecureRandom random = new SecureRandom();
            byte[] repeated = new byte[40];
            random.nextBytes(repeated);
            for (int i = 0; i < 10_000; i++) {
                byte[] wrapped = new byte[40];
                random.nextBytes(wrapped);
                Envelope forged = new Envelope(EnvelopeSchema.VERSION, "forged-" + i, 1L, null, new byte[32], genuine.keyId(),
                        AesGcmKey.ALGORITHM, new byte[12], null, i % 2 == 0 ? repeated : wrapped, "A256KW",
                        "avro-schemaless", null, null, new byte[32]);
                assertThatThrownBy(() -> flooded.decrypt(forged)).isInstanceOf(DataKeyRejectedException.class);
            }
            assertThat(reader.unwraps()).as("key-service calls for 10,000 forged records").isLessThanOrEqualTo(20);
            assertThat(flooded.refusalsWithoutKekCall()).isGreaterThanOrEqualTo(10_000 - 20);
            assertThatThrownBy(() -> flooded.decrypt(genuine)).as("an unseen key while the budget is empty")
                    .isInstanceOf(DataKeyRejectedException.class).hasMessageContaining("not sent to the key service");

            clock.advance(60_000);
            assertThat(flooded.decrypt(genuine).value()).as("a minute later the budget has refilled")
                    .isEqualTo(Map.of("amount", 12));
        }
    }
}
