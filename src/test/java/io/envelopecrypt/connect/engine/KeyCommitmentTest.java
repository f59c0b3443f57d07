package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.envelope.AssociatedData;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.testing.InMemoryKekProvider;
import io.envelopecrypt.connect.testing.MutableClock;

import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Finding 4 of the hostile-writer review: AES-GCM does not commit to its key. Whoever holds two data keys (any
 * decrypting reader can unwrap them) can make one ciphertext and tag that authenticate under both, each key
 * revealing a different value: the "invisible salamanders" construction, built here for real with GF(2^128)
 * arithmetic. Two envelopes that differ only in their wrapped key would then open to two values. The envelope's
 * {@code dataKeyCommitment} makes the second one fail.
 */
class KeyCommitmentTest {
    private static final byte[] IV = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    /** A BYTES payload of 31 bytes: an Avro length byte (zigzag 31 = 62) and 31 bytes of anything. */
    private static final int PLAINTEXT_BYTES = 32;
    private static final byte LENGTH_31 = 62;

    private final MutableClock clock = new MutableClock(1_000_000L);
    private final InMemoryKekProvider kek = new InMemoryKekProvider("commitment");
    private final EnvelopeDecryptor decryptor = new EnvelopeDecryptor(kek.sameKey(), 100, 60_000, clock);

    @AfterEach
    void close() {
        decryptor.close();
    }

    @Test
    void oneCiphertextThatAuthenticatesUnderTwoDataKeysOpensUnderTheCommittedOneOnly() throws Exception {
        PayloadCodec codec = PayloadCodec.forSchema(Schema.BYTES_SCHEMA);
        AssociatedData aad = AssociatedData.compute(EnvelopeSchema.VERSION, "payment-42", 1L, "payment.created", null,
                AesGcmKey.ALGORITHM, codec.format(), codec.payloadSchema(), Map.of());
        byte[] associatedData = aad.toByteArray();
        Random random = new Random(42);
        byte[] key1 = randomBytes(random, 32);
        byte[] key2;
        do {
            // Both keys must turn the first ciphertext byte into the same length byte: one try in 256.
            key2 = randomBytes(random, 32);
        } while (keystream(key1)[0] != keystream(key2)[0]);
        byte[] ciphertextAndTag = collidingCiphertext(key1, key2, associatedData);

        // The control: plain AES-GCM accepts the same bytes under both keys, with two different plaintexts.
        byte[] under1 = new AesGcmKey(key1.clone()).open(IV, associatedData, associatedData.length, ciphertextAndTag);
        byte[] under2 = new AesGcmKey(key2.clone()).open(IV, associatedData, associatedData.length, ciphertextAndTag);
        assertThat(under1).isNotEqualTo(under2);
        assertThat(codec.decode(under1)).isInstanceOf(byte[].class);
        assertThat(codec.decode(under2)).isInstanceOf(byte[].class);

        byte[] commitment1 = new AesGcmKey(key1.clone()).commitment();
        Envelope genuine = envelope(codec, ciphertextAndTag, kek.wrap(key1.clone()), commitment1);
        assertThat((byte[]) decryptor.decrypt(genuine).value()).isEqualTo(Arrays.copyOfRange(under1, 1, PLAINTEXT_BYTES));

        Envelope otherKey = envelope(codec, ciphertextAndTag, kek.wrap(key2.clone()), commitment1);
        assertThatThrownBy(() -> decryptor.decrypt(otherKey)).isInstanceOf(EnvelopeAuthenticationException.class)
                .hasMessageContaining("not the key its dataKeyCommitment names");
    }

    @Test
    void commitmentsDifferPerKeyAndDependOnlyOnTheKey() {
        byte[] material = randomBytes(new Random(7), 32);
        byte[] commitment = new AesGcmKey(material.clone()).commitment();
        assertThat(commitment).hasSize(AesGcmKey.COMMITMENT_BYTES).isEqualTo(new AesGcmKey(material.clone()).commitment());
        material[31] ^= 1;
        assertThat(new AesGcmKey(material).commitment()).isNotEqualTo(commitment);
    }

    private static Envelope envelope(PayloadCodec codec, byte[] ciphertext, WrappedKey wrapped, byte[] commitment) {
        return new Envelope(EnvelopeSchema.VERSION, "payment-42", 1L, "payment.created", ciphertext, wrapped.keyId(),
                AesGcmKey.ALGORITHM, IV.clone(), Map.of(), wrapped.wrapped(), wrapped.algorithm(), codec.format(),
                codec.payloadSchema(), null, commitment);
    }

    /**
     * 32 bytes of ciphertext and a tag valid under both keys. The first block is chosen so that both keys decrypt
     * its first byte to the Avro length of 31 bytes; the second block is the unknown of the one linear equation
     * in GF(2^128) that makes the two tags equal: GHASH_H1(A, C) + E_K1(J0) = GHASH_H2(A, C) + E_K2(J0).
     */
    private static byte[] collidingCiphertext(byte[] key1, byte[] key2, byte[] aad) throws GeneralSecurityException {
        byte[] c = new byte[PLAINTEXT_BYTES];
        c[0] = (byte) (LENGTH_31 ^ keystream(key1)[0]);
        long[] h1 = aes(key1, new byte[16]);
        long[] h2 = aes(key2, new byte[16]);
        long[] mask1 = aes(key1, j0());
        long[] mask2 = aes(key2, j0());
        // With the second block zero, GHASH under each key; the second block then adds block * H^2 (only the
        // length block follows it).
        long[] g1 = ghash(h1, aad, c);
        long[] g2 = ghash(h2, aad, c);
        long[] target = xor(xor(g1, g2), xor(mask1, mask2));
        long[] coefficient = xor(mul(h1, h1), mul(h2, h2));
        long[] block = mul(target, inverse(coefficient));
        System.arraycopy(toBytes(block), 0, c, 16, 16);
        long[] tag = xor(ghash(h1, aad, c), mask1);
        byte[] out = Arrays.copyOf(c, PLAINTEXT_BYTES + AesGcmKey.TAG_BYTES);
        System.arraycopy(toBytes(tag), 0, out, PLAINTEXT_BYTES, 16);
        return out;
    }

    /** The first counter block's keystream: E_K(inc32(J0)). */
    private static byte[] keystream(byte[] key) throws GeneralSecurityException {
        byte[] counter = j0();
        counter[15] = 2;
        return toBytes(aes(key, counter));
    }

    private static byte[] j0() {
        byte[] j0 = Arrays.copyOf(IV, 16);
        j0[15] = 1;
        return j0;
    }

    private static long[] aes(byte[] key, byte[] block) throws GeneralSecurityException {
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return toBlock(ecb.doFinal(block), 0);
    }

    /** GHASH over the padded associated data, the padded ciphertext and the length block (Horner's rule). */
    private static long[] ghash(long[] h, byte[] aad, byte[] ciphertext) {
        long[] y = {0, 0};
        for (byte[] part : new byte[][] {aad, ciphertext}) {
            byte[] padded = Arrays.copyOf(part, (part.length + 15) / 16 * 16);
            for (int i = 0; i < padded.length; i += 16) {
                y = mul(xor(y, toBlock(padded, i)), h);
            }
        }
        return mul(xor(y, new long[] {aad.length * 8L, ciphertext.length * 8L}), h);
    }

    /** Multiplication in GCM's GF(2^128) (NIST SP 800-38D, algorithm 1; bit 0 is the most significant). */
    private static long[] mul(long[] x, long[] y) {
        long zHi = 0;
        long zLo = 0;
        long vHi = y[0];
        long vLo = y[1];
        for (int i = 0; i < 128; i++) {
            long word = i < 64 ? x[0] : x[1];
            if (((word >>> (63 - (i % 64))) & 1) != 0) {
                zHi ^= vHi;
                zLo ^= vLo;
            }
            boolean carry = (vLo & 1) != 0;
            vLo = (vLo >>> 1) | (vHi << 63);
            vHi >>>= 1;
            if (carry) {
                vHi ^= 0xE100000000000000L;
            }
        }
        return new long[] {zHi, zLo};
    }

    /** x^(2^128 - 2), the inverse of a non-zero element. */
    private static long[] inverse(long[] x) {
        long[] result = {0x8000000000000000L, 0};
        long[] power = x;
        for (int i = 1; i < 128; i++) {
            power = mul(power, power);
            result = mul(result, power);
        }
        return result;
    }

    private static long[] xor(long[] a, long[] b) {
        return new long[] {a[0] ^ b[0], a[1] ^ b[1]};
    }

    private static long[] toBlock(byte[] bytes, int offset) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, 16);
        return new long[] {b.getLong(), b.getLong()};
    }

    private static byte[] toBytes(long[] block) {
        return ByteBuffer.allocate(16).putLong(block[0]).putLong(block[1]).array();
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
