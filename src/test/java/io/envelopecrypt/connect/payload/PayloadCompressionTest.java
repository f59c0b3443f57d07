package io.envelopecrypt.connect.payload;

import com.github.luben.zstd.Zstd;

import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The codecs of {@code payload.compression}: round trips at every size that matters (empty, one byte, a record,
 * incompressible, several LZ4 blocks), standard formats that other implementations read and write, and refusals
 * of anything that declares more than a reader accepts or does not match what it declares.
 */
class PayloadCompressionTest {
    private static final Random RANDOM = new Random(42);

    private static byte[] compress(PayloadCompression c, byte[] plain) {
        BinaryWriter out = new BinaryWriter();
        c.compress(plain, plain.length, out);
        return out.toByteArray();
    }

    private static byte[] record(int size) {
        byte[] text = ("{\"card\":{\"last4\":\"4242\",\"brand\":\"VISA\"},\"amount\":\"129.99\",\"currency\":\"EUR\","
                + "\"note\":\"Deliver to the back door, ring twice\"}").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = text[i % text.length];
        }
        return out;
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(PayloadCompression.class)
    void roundTripsAtEverySize(PayloadCompression c) {
        for (byte[] plain : new byte[][] {new byte[0], {7}, record(1029), random(1029), record(9 * 1024 * 1024 + 17)}) {
            byte[] compressed = compress(c, plain);
            assertThat(c.decompress(compressed)).as("%s, %d bytes", c, plain.length).isEqualTo(plain);
            if (c != PayloadCompression.NONE && plain.length > 1000 && plain[1] == record(2)[1]) {
                assertThat(compressed.length).as("%s shrinks repetitive text", c).isLessThan(plain.length / 2);
            }
        }
    }

    @Test
    void incompressibleDataGrowsOnlyByItsFraming() {
        byte[] plain = random(1029);
        assertThat(compress(PayloadCompression.LZ4, plain).length).isLessThanOrEqualTo(plain.length + 23);
        assertThat(compress(PayloadCompression.ZSTD, plain).length).isLessThanOrEqualTo(plain.length + 16);
        assertThat(compress(PayloadCompression.SNAPPY, plain).length).isLessThanOrEqualTo(plain.length + 60);
    }

    @Test
    void writesStandardFormatsThatOtherImplementationsRead() throws IOException {
        byte[] plain = record(300_000);
        assertThat(Zstd.decompress(compress(PayloadCompression.ZSTD, plain), plain.length)).isEqualTo(plain);
        assertThat(Snappy.uncompress(compress(PayloadCompression.SNAPPY, plain))).isEqualTo(plain);
        try (LZ4FrameInputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(compress(PayloadCompression.LZ4, plain)))) {
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }
    }

    @Test
    void readsLz4FramesWithChecksumsFromOtherWriters() throws IOException {
        byte[] plain = record(200_000);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream out = new LZ4FrameOutputStream(frame, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB, plain.length,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM, LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM)) {
            out.write(plain);
        }
        assertThat(PayloadCompression.LZ4.decompress(frame.toByteArray())).isEqualTo(plain);
        byte[] corrupt = frame.toByteArray();
        corrupt[corrupt.length - 1] ^= 1;
        assertThatThrownBy(() -> PayloadCompression.LZ4.decompress(corrupt)).isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void refusesLz4FramesWithoutContentSizeOrWithLinkedBlocks() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream out = new LZ4FrameOutputStream(frame)) {
            out.write(record(1000));
        }
        assertThatThrownBy(() -> PayloadCompression.LZ4.decompress(frame.toByteArray()))
                .isInstanceOf(MalformedPayloadException.class).hasMessageContaining("content size");
    }

    @Test
    void refusesWhatDeclaresMoreThanReadersAccept() {
        // 200 MiB of zeros compresses to a few KiB: a reader must refuse it from the header, before allocating.
        byte[] zeros = new byte[PayloadCompression.MAX_PLAINTEXT_BYTES + 1];
        byte[] zstdBomb = Zstd.compress(zeros);
        assertThatThrownBy(() -> PayloadCompression.ZSTD.decompress(zstdBomb)).isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("declares " + zeros.length);
        byte[] lz4Bomb = compress(PayloadCompression.LZ4, record(64));
        lz4Bomb[6] = (byte) 0xFF;
        lz4Bomb[7] = (byte) 0xFF;
        lz4Bomb[8] = (byte) 0xFF;
        lz4Bomb[9] = (byte) 0x7F;
        assertThatThrownBy(() -> PayloadCompression.LZ4.decompress(lz4Bomb)).isInstanceOf(MalformedPayloadException.class);
        assertThatThrownBy(() -> PayloadCompression.LZ4.compress(zeros, zeros.length, new BinaryWriter()))
                .hasMessageContaining("refused by readers");
    }

    @Test
    void refusesDataThatDoesNotMatchWhatItDeclares() {
        byte[] plain = record(5000);
        for (PayloadCompression c : new PayloadCompression[] {PayloadCompression.LZ4, PayloadCompression.ZSTD,
                PayloadCompression.SNAPPY}) {
            byte[] good = compress(c, plain);
            for (byte[] bad : new byte[][] {Arrays.copyOf(good, good.length - 3), Arrays.copyOf(good, good.length + 5),
                    random(good.length), new byte[0]}) {
                assertThatThrownBy(() -> c.decompress(bad)).as("%s", c).isInstanceOf(MalformedPayloadException.class)
                        .hasMessageStartingWith("The decrypted payload");
            }
        }
    }

    @Test
    void namesMatchTheFormatSuffixes() {
        assertThat(PayloadCompression.ofFormat("avro")).isEqualTo(PayloadCompression.NONE);
        assertThat(PayloadCompression.ofFormat("avro-registry+zstd")).isEqualTo(PayloadCompression.ZSTD);
        assertThat(PayloadCompression.ofFormat("avro-schemaless+snappy")).isEqualTo(PayloadCompression.SNAPPY);
        assertThat(PayloadCompression.ofFormat("avro+none")).isNull();
        assertThat(PayloadCompression.ofFormat("avro+gzip")).isNull();
        assertThat(PayloadCompression.forName("LZ4")).isEqualTo(PayloadCompression.LZ4);
    }
}
