package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.testing.InMemoryKekProvider;
import io.envelopecrypt.connect.testing.MutableClock;
import io.envelopecrypt.connect.testing.RandomConnectData;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static io.envelopecrypt.connect.testing.ConnectAssertions.assertSchemaEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engines on their own, without a Connect record in sight: what every door (transform, API, CLI) relies on. */
class EnvelopeEngineTest {
    private final MutableClock clock = new MutableClock(1_000_000L);

    private static EnvelopeHeader header(long n) {
        return new EnvelopeHeader("id-" + n, 1_700_000_000_000L + n, "test", Map.of("n", Long.toString(n)));
    }

    @Test
    void randomValuesRoundTripWithTheirSchemas() {
        InMemoryKekProvider kek = new InMemoryKekProvider("round-trip");
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(kek, 50, 60_000, clock, new SecureRandom());
             EnvelopeDecryptor decryptor = new EnvelopeDecryptor(kek.sameKey(), 100, 60_000, clock)) {
            for (long seed = 0; seed < 500; seed++) {
                RandomConnectData gen = new RandomConnectData(seed * 7919 + 13, 3);
                Schema schema = seed % 3 == 0 ? null : gen.valueSchema();
                Object value = schema != null ? gen.value(schema) : gen.schemalessMap(0, true);
                if (value == null) {
                    continue;
                }
                PlaintextValue back = decryptor.decrypt(encryptor.encrypt(schema, value, header(seed)));
                assertSchemaEquals(schema, back.schema());
                assertDeepEquals(value, back.value());
            }
        }
        assertThat(kek.isClosed()).as("the engines own and close their KEK provider").isTrue();
    }

    @Test
    void theKekIsCalledOncePerDataKeyOnEachSide() {
        InMemoryKekProvider kek = new InMemoryKekProvider("budget");
        List<Envelope> envelopes = new ArrayList<>();
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(kek, 1_000, 60_000, clock, new SecureRandom())) {
            for (int i = 0; i < 20_000; i++) {
                envelopes.add(encryptor.encrypt(Schema.STRING_SCHEMA, "record " + i, header(i)));
            }
            assertThat(encryptor.dataKeysCreated()).isEqualTo(20);
            assertThat(kek.wraps()).isEqualTo(20);
        }
        InMemoryKekProvider reader = kek.sameKey();
        try (EnvelopeDecryptor decryptor = new EnvelopeDecryptor(reader, 100, 60_000, clock)) {
            for (Envelope e : envelopes) {
                decryptor.decrypt(e);
            }
            assertThat(decryptor.unwraps()).isEqualTo(20);
            assertThat(reader.unwraps()).isEqualTo(20);
            assertThat(decryptor.cacheHits()).isEqualTo(20_000 - 20);
        }
    }

    @Test
    void noIvRepeatsUnderADataKeyAcrossThreadsAndInstances() throws Exception {
        InMemoryKekProvider kek = new InMemoryKekProvider("ivs");
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<String> repeats = new ArrayList<>();
        int threads = 8;
        int perThread = 5_000;
        List<EnvelopeEncryptor> encryptors = List.of(
                new EnvelopeEncryptor(kek, 997, 60_000, clock, new SecureRandom()),
                new EnvelopeEncryptor(kek, 997, 60_000, clock, new SecureRandom()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                EnvelopeEncryptor encryptor = encryptors.get(t % 2);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Envelope e = encryptor.encrypt(Schema.INT32_SCHEMA, i, header(i));
                        String pair = java.util.HexFormat.of().formatHex(e.wrappedDataKey()) + "/"
                                + java.util.HexFormat.of().formatHex(e.iv());
                        if (!seen.add(pair)) {
                            synchronized (repeats) {
                                repeats.add(pair);
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
            encryptors.forEach(EnvelopeEncryptor::close);
        }
        assertThat(repeats).as("(data key, IV) pairs used twice").isEmpty();
        assertThat(seen).hasSize(threads * perThread);
        Set<String> keys = new HashSet<>();
        seen.forEach(p -> keys.add(p.substring(0, p.indexOf('/'))));
        assertThat(keys.size()).as("keys rotated while threads raced").isGreaterThan(threads * perThread / 997);
    }

    @Test
    void aValueTheSchemaDoesNotDescribeIsADataExceptionWithoutItsContent() {
        Schema schema = SchemaBuilder.struct().name("Card").field("number", Schema.STRING_SCHEMA).build();
        Schema other = SchemaBuilder.struct().name("Other").field("pan", Schema.STRING_SCHEMA).build();
        Struct wrong = new Struct(other).put("pan", "4111111111111111");
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(new InMemoryKekProvider("bad"), 10, 60_000, clock,
                new SecureRandom())) {
            assertThatThrownBy(() -> encryptor.encrypt(schema, wrong, header(1)))
                    .isInstanceOf(DataException.class)
                    .satisfies(e -> {
                        for (Throwable c = e; c != null; c = c.getCause()) {
                            assertThat(String.valueOf(c.getMessage())).doesNotContain("4111111111111111");
                        }
                    });
        }
    }

    @Test
    void anUnavailableKekIsRetriableAndNothingIsEncrypted() {
        InMemoryKekProvider kek = new InMemoryKekProvider("down");
        kek.setUnavailable(true);
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(kek, 10, 60_000, clock, new SecureRandom())) {
            assertThatThrownBy(() -> encryptor.encrypt(Schema.STRING_SCHEMA, "x", header(1)))
                    .isInstanceOf(KmsUnavailableException.class);
            kek.setUnavailable(false);
            assertThat(encryptor.encrypt(Schema.STRING_SCHEMA, "x", header(1)).keyId()).isEqualTo("memory:down");
        }
    }

    @Test
    void aDataKeyFromAnotherKekIsRejectedAsTheRecordsProblem() {
        Envelope foreign;
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(new InMemoryKekProvider("a"), 10, 60_000, clock,
                new SecureRandom())) {
            foreign = encryptor.encrypt(Schema.STRING_SCHEMA, "x", header(1));
        }
        try (EnvelopeDecryptor decryptor = new EnvelopeDecryptor(new InMemoryKekProvider("b"), 10, 60_000, clock)) {
            assertThatThrownBy(() -> decryptor.decrypt(foreign)).isInstanceOf(DataKeyRejectedException.class)
                    .satisfies(e -> assertThat(((DataKeyRejectedException) e).isAuthenticationFailure()).isFalse());
        }
    }
}
