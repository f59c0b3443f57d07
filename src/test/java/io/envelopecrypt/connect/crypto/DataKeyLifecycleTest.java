package io.envelopecrypt.connect.crypto;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.kms.local.LocalKeyEncryptionKeyProvider;
import io.envelopecrypt.connect.testing.MutableClock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Data keys are wiped when they leave use, never before, and never show up in a string or a stream. */
class DataKeyLifecycleTest {
    private final LocalKeyEncryptionKeyProvider kek = new LocalKeyEncryptionKeyProvider("test",
            List.of("0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    private final MutableClock clock = new MutableClock(1_000_000L);

    @AfterEach
    void closeKek() {
        kek.close();
    }

    @Test
    void aRetiredKeyIsWipedOnlyWhenItsLastLeaseIsReturned() throws Exception {
        AesGcmKey key = newKey();
        assertThat(key.lease()).isTrue();
        assertThat(key.lease()).isTrue();

        key.retire();
        assertThat(key.isDestroyed()).as("wiped while two records still use it").isFalse();
        assertThat(material(key)).isNotEqualTo(new byte[32]);
        key.release();
        assertThat(key.isDestroyed()).isFalse();
        key.release();

        assertThat(key.isDestroyed()).isTrue();
        assertThat(material(key)).isEqualTo(new byte[32]);
        assertThat(key.lease()).as("a wiped key cannot be leased again").isFalse();
        assertThatThrownBy(key::getEncoded).isInstanceOf(IllegalStateException.class)
                .hasMessage("the key has been wiped");
    }

    @Test
    void rotationRetiresAndWipesTheOldKey() throws Exception {
        try (DataKeyManager manager = new DataKeyManager(kek, 2, 60_000, clock, new SecureRandom())) {
            DataKeyManager.DataKey first = manager.acquire();
            first.release();
            manager.acquire().release();
            DataKeyManager.DataKey third = manager.acquire();

            assertThat(third).isNotSameAs(first);
            assertThat(first.key().isDestroyed()).isTrue();
            assertThat(material(first.key())).isEqualTo(new byte[32]);
            third.release();
            assertThat(third.key().isDestroyed()).as("the current key stays usable").isFalse();

            manager.close();
            assertThat(third.key().isDestroyed()).as("closing wipes the current key").isTrue();
        }
    }

    @Test
    void rotationByAgeWaitsForRecordsInFlight() {
        try (DataKeyManager manager = new DataKeyManager(kek, 1_000, 60_000, clock, new SecureRandom())) {
            DataKeyManager.DataKey inFlight = manager.acquire();
            clock.advance(60_000);
            DataKeyManager.DataKey next = manager.acquire();

            assertThat(next).isNotSameAs(inFlight);
            assertThat(inFlight.key().isDestroyed()).isFalse();
            assertThat(inFlight.key().getEncoded()).hasSize(32);
            inFlight.release();
            assertThat(inFlight.key().isDestroyed()).isTrue();
            next.release();
        }
    }

    @Test
    void theUnwrappedKeyCacheWipesWhatItEvictsByAgeSizeAndClose() {
        try (UnwrappedKeyCache cache = new UnwrappedKeyCache(kek, 2, 10_000, clock)) {
            List<WrappedKey> wrapped = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                wrapped.add(kek.wrap(new SecureRandom().generateSeed(32)));
            }
            AesGcmKey a = cache.acquire(wrapped.get(0));
            a.release();
            AesGcmKey b = cache.acquire(wrapped.get(1));
            b.release();
            AesGcmKey c = cache.acquire(wrapped.get(2));
            c.release();
            assertThat(a.isDestroyed()).as("evicted as least recently used").isTrue();
            assertThat(b.isDestroyed()).isFalse();
            assertThat(cache.evictions()).isEqualTo(1);

            clock.advance(10_000);
            AesGcmKey b2 = cache.acquire(wrapped.get(1));
            assertThat(b.isDestroyed()).as("expired").isTrue();
            assertThat(b2).isNotSameAs(b);
            assertThat(cache.unwraps()).isEqualTo(4);

            cache.close();
            assertThat(c.isDestroyed()).isTrue();
            assertThat(b2.isDestroyed()).as("still leased at close").isFalse();
            b2.release();
            assertThat(b2.isDestroyed()).isTrue();
        }
    }

    @Test
    void keysNoRecordAsksForAgainAreWipedWhenTheyExpire() {
        try (UnwrappedKeyCache cache = new UnwrappedKeyCache(kek, 10, 10_000, clock)) {
            AesGcmKey idle = cache.acquire(kek.wrap(new SecureRandom().generateSeed(32)));
            idle.release();
            cache.sweepExpired();
            assertThat(idle.isDestroyed()).as("not yet expired").isFalse();
            clock.advance(10_000);
            cache.sweepExpired(); // what the background sweep does, without waiting for it
            assertThat(idle.isDestroyed()).as("expired and never asked for again").isTrue();
            assertThat(cache.size()).isZero();
        }
    }

    @Test
    void noStringFormOrSerializationRevealsKeyMaterial() throws Exception {
        AesGcmKey key = newKey();
        byte[] material = key.getEncoded();
        WrappedKey wrapped = kek.wrap(material);
        Envelope envelope = new Envelope(2, "id-1", 1L, "Payment", new byte[] {1, 2, 3, 4, 5, 6, 7, 8},
                wrapped.keyId(), "AES-256-GCM", new byte[12], Map.of(), wrapped.wrapped(), wrapped.algorithm(),
                "avro", new byte[] {9}, "payments", key.commitment());

        List<String> forbidden = List.of(
                HexFormat.of().formatHex(material), HexFormat.of().withUpperCase().formatHex(material),
                Base64.getEncoder().encodeToString(material), java.util.Arrays.toString(material),
                HexFormat.of().formatHex(wrapped.wrapped()), Base64.getEncoder().encodeToString(wrapped.wrapped()),
                java.util.Arrays.toString(wrapped.wrapped()), java.util.Arrays.toString(envelope.encryptedPayload()));
        for (String text : List.of(key.toString(), wrapped.toString(), envelope.toString(), kek.toString(),
                kek.description())) {
            for (String secret : forbidden) {
                assertThat(text).doesNotContain(secret);
            }
        }

        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            assertThatThrownBy(() -> out.writeObject(key)).isInstanceOf(NotSerializableException.class);
        }
    }

    private static AesGcmKey newKey() {
        return new SealingKey(new SecureRandom().generateSeed(32), 7);
    }

    /** The key's own array, to see that it was zeroed rather than merely marked as destroyed. */
    private static byte[] material(AesGcmKey key) throws ReflectiveOperationException {
        Field f = AesGcmKey.class.getDeclaredField("material");
        f.setAccessible(true);
        return ((byte[]) f.get(key)).clone();
    }
}
