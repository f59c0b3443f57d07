package io.envelopecrypt.connect.payload;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.util.Locale;

/**
 * Compression of the plaintext before it is encrypted ({@code payload.compression}); ciphertext does not compress,
 * so this is the only place where it helps. The codecs are the ones every Kafka client and worker already has
 * ({@code kafka-clients} depends on zstd-jni, lz4-java and snappy-java): the plugin does not bundle them.
 *
 * <p>Each writes a standard, self-describing format that declares the decompressed size up front, so a reader
 * knows what it will allocate before it decompresses anything: a zstd frame with its content size (RFC 8878),
 * an LZ4 frame (LZ4 frame format 1.6) with its content size and independent blocks, a raw Snappy block (its
 * uncompressed length is its first varint). Decompression happens only after authentication, and is bounded
 * by {@link #MAX_PLAINTEXT_BYTES} whatever the data declares.
 */
public enum PayloadCompression {
    NONE("none"),
    LZ4("lz4"),
    ZSTD("zstd"),
    SNAPPY("snappy");

    /** Decompressed payloads larger than this are refused; writers refuse to compress larger ones. */
    public static final int MAX_PLAINTEXT_BYTES = 64 * 1024 * 1024;
    /** zstd's default level: most of the ratio of higher levels at a fraction of their time on record-sized input. */
    public static final int ZSTD_LEVEL = 3;

    private static final int LZ4_MAGIC = 0x184D2204;
    /** FLG: version 01, independent blocks, content size present; no checksums (GCM authenticates the bytes). */
    private static final int LZ4_FLG = 0x68;
    /** BD: blocks of at most 4 MiB. */
    private static final int LZ4_BD = 0x70;
    private static final int LZ4_BLOCK_BYTES = 4 * 1024 * 1024;
    private static final int LZ4_HEADER_BYTES = 4 + 2 + 8 + 1;
    private static final int UNCOMPRESSED_BLOCK = 0x80000000;

    private final String configName;

    PayloadCompression(String configName) {
        this.configName = configName;
    }

    /** The setting's value and the suffix of the payload format ({@code avro+zstd}). */
    public String configName() {
        return configName;
    }

    /** What this compression appends to a payload format: {@code +zstd}, or nothing for {@link #NONE}. */
    public String formatSuffix() {
        return this == NONE ? "" : "+" + configName;
    }

    public static PayloadCompression forName(String name) {
        for (PayloadCompression c : values()) {
            if (c.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown payload compression " + name);
    }

    /** The compression a payload format's suffix names ({@code avro+lz4}), or null when the suffix is unknown. */
    public static PayloadCompression ofFormat(String format) {
        int plus = format.indexOf('+');
        if (plus < 0) {
            return NONE;
        }
        String suffix = format.substring(plus + 1);
        for (PayloadCompression c : values()) {
            if (c != NONE && c.configName.equals(suffix)) {
                return c;
            }
        }
        return null;
    }

    /** Compresses {@code src[0, length)} into {@code out} (reset first). */
    public void compress(byte[] src, int length, BinaryWriter out) {
        if (length > MAX_PLAINTEXT_BYTES) {
            throw new org.apache.kafka.connect.errors.DataException("The record's value encodes to " + length
                    + " bytes; compressed payloads of more than " + MAX_PLAINTEXT_BYTES + " bytes are refused by readers");
        }
        out.reset();
        switch (this) {
            case NONE -> {
                byte[] dst = out.reserve(length);
                System.arraycopy(src, 0, dst, 0, length);
                out.advance(length);
            }
            case ZSTD -> {
                byte[] dst = out.reserve((int) Zstd.compressBound(length));
                out.advance(ZstdContexts.COMPRESS.get().compressByteArray(dst, 0, dst.length, src, 0, length));
            }
            case SNAPPY -> {
                byte[] dst = out.reserve(Snappy.maxCompressedLength(length));
                try {
                    out.advance(Snappy.compress(src, 0, length, dst, 0));
                } catch (IOException e) {
                    throw new IllegalStateException("Snappy could not compress the payload", e);
                }
            }
            case LZ4 -> lz4Frame(src, length, out);
            default -> throw new IllegalStateException(name());
        }
    }

    /** Compresses a whole array (for tools and tests; the engine reuses per-thread buffers instead). */
    public byte[] compress(byte[] src) {
        BinaryWriter out = new BinaryWriter();
        compress(src, src.length, out);
        return out.toByteArray();
    }

    /**
     * Decompresses a whole payload. Refuses, before allocating, anything that declares more than
     * {@link #MAX_PLAINTEXT_BYTES}, and anything whose data does not match what it declares.
     */
    public byte[] decompress(byte[] src) {
        switch (this) {
            case NONE:
                return src;
            case ZSTD: {
                long size = src.length < 6 ? -1 : Zstd.getFrameContentSize(src);
                if (size < 0) {
                    throw malformed("is not a zstd frame with its content size");
                }
                byte[] dst = allocate(size);
                try {
                    int n = ZstdContexts.DECOMPRESS.get().decompressByteArray(dst, 0, dst.length, src, 0, src.length);
                    if (n != dst.length) {
                        throw malformed("decompresses to fewer bytes than its zstd frame declares");
                    }
                } catch (ZstdException e) {
                    throw malformed("is not valid zstd data, or holds more than its frame declares");
                }
                return dst;
            }
            case SNAPPY: {
                byte[] dst;
                try {
                    if (!Snappy.isValidCompressedBuffer(src)) {
                        throw malformed("is not a valid Snappy block");
                    }
                    dst = allocate(Snappy.uncompressedLength(src));
                    if (Snappy.uncompress(src, 0, src.length, dst, 0) != dst.length) {
                        throw malformed("decompresses to another length than its Snappy block declares");
                    }
                } catch (IOException e) {
                    throw malformed("is not a valid Snappy block");
                }
                return dst;
            }
            case LZ4:
                return lz4Unframe(src);
            default:
                throw new IllegalStateException(name());
        }
    }

    private static byte[] allocate(long declared) {
        if (declared > MAX_PLAINTEXT_BYTES) {
            throw malformed("declares " + declared + " bytes decompressed; readers accept at most " + MAX_PLAINTEXT_BYTES);
        }
        return new byte[(int) declared];
    }

    private static MalformedPayloadException malformed(String what) {
        return new MalformedPayloadException("The decrypted payload " + what);
    }

    // LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), written and read here because
    // lz4-java's frame streams allocate two 64 KiB to 4 MiB buffers per stream, i.e. per record.

    private static void lz4Frame(byte[] src, int length, BinaryWriter out) {
        LZ4Compressor compressor = Lz4.FACTORY.fastCompressor();
        int blocks = Math.max(1, (length + LZ4_BLOCK_BYTES - 1) / LZ4_BLOCK_BYTES);
        byte[] dst = out.reserve(LZ4_HEADER_BYTES + blocks * 4 + compressor.maxCompressedLength(length) + blocks * 16 + 4);
        int p = putIntLe(dst, 0, LZ4_MAGIC);
        dst[p++] = (byte) LZ4_FLG;
        dst[p++] = (byte) LZ4_BD;
        p = putLongLe(dst, p, length);
        dst[p] = headerChecksum(dst, 4, p - 4);
        p++;
        for (int off = 0; off < length; off += LZ4_BLOCK_BYTES) {
            int n = Math.min(LZ4_BLOCK_BYTES, length - off);
            int written = compressor.compress(src, off, n, dst, p + 4, compressor.maxCompressedLength(n));
            if (written < n) {
                putIntLe(dst, p, written);
                p += 4 + written;
            } else {
                // Incompressible: stored as is, as the format allows, so the frame never grows by more than its framing.
                putIntLe(dst, p, n | UNCOMPRESSED_BLOCK);
                System.arraycopy(src, off, dst, p + 4, n);
                p += 4 + n;
            }
        }
        p = putIntLe(dst, p, 0);
        out.advance(p);
    }

    private static byte[] lz4Unframe(byte[] src) {
        if (src.length < 7 || getIntLe(src, 0) != LZ4_MAGIC) {
            throw malformed("is not an LZ4 frame");
        }
        int flg = src[4] & 0xFF;
        int bd = src[5] & 0xFF;
        if ((flg >>> 6) != 1 || (flg & 0x02) != 0 || (bd & 0x8F) != 0 || ((bd >>> 4) & 0x07) < 4) {
            throw malformed("has an LZ4 frame descriptor this reader does not know");
        }
        boolean blockChecksums = (flg & 0x10) != 0;
        boolean contentChecksum = (flg & 0x04) != 0;
        if ((flg & 0x20) == 0 || (flg & 0x08) == 0 || (flg & 0x01) != 0) {
            throw malformed("is an LZ4 frame without independent blocks or content size, or with a dictionary; "
                    + "envelopes use neither linked blocks nor dictionaries and always declare the content size");
        }
        if (src.length < LZ4_HEADER_BYTES + 4) {
            throw malformed("is a truncated LZ4 frame");
        }
        long size = getLongLe(src, 6);
        if (size < 0) {
            throw malformed("declares a negative LZ4 content size");
        }
        if (src[14] != headerChecksum(src, 4, 10)) {
            throw malformed("has an LZ4 frame header whose checksum does not match");
        }
        int blockMax = 1 << (8 + 2 * ((bd >>> 4) & 0x07));
        byte[] dst = allocate(size);
        LZ4SafeDecompressor decompressor = Lz4.FACTORY.safeDecompressor();
        XXHash32 xxhash = Lz4.XXHASH;
        int p = LZ4_HEADER_BYTES;
        int written = 0;
        try {
            while (true) {
                int header = getIntLe(src, p);
                p += 4;
                if (header == 0) {
                    break;
                }
                int n = header & ~UNCOMPRESSED_BLOCK;
                if (n > blockMax || n > src.length - p) {
                    throw malformed("has an LZ4 block larger than its frame allows or than the data");
                }
                if (blockChecksums && (src.length - p - n < 4 || xxhash.hash(src, p, n, 0) != getIntLe(src, p + n))) {
                    throw malformed("has an LZ4 block whose checksum does not match");
                }
                int room = Math.min(blockMax, dst.length - written);
                if ((header & UNCOMPRESSED_BLOCK) != 0) {
                    if (n > room) {
                        throw malformed("holds more than its LZ4 frame declares");
                    }
                    System.arraycopy(src, p, dst, written, n);
                    written += n;
                } else {
                    written += decompressor.decompress(src, p, n, dst, written, room);
                }
                p += n + (blockChecksums ? 4 : 0);
            }
            if (contentChecksum) {
                if (src.length - p < 4 || xxhash.hash(dst, 0, written, 0) != getIntLe(src, p)) {
                    throw malformed("has an LZ4 content checksum that does not match");
                }
                p += 4;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw malformed("is a truncated LZ4 frame");
        } catch (LZ4Exception e) {
            throw malformed("is not valid LZ4 data, or holds more than its frame declares");
        }
        if (written != dst.length) {
            throw malformed("decompresses to fewer bytes than its LZ4 frame declares");
        }
        if (p != src.length) {
            throw malformed("has bytes after its LZ4 frame");
        }
        return dst;
    }

    private static byte headerChecksum(byte[] b, int off, int len) {
        return (byte) (Lz4.XXHASH.hash(b, off, len, 0) >>> 8);
    }

    private static int putIntLe(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
        return p + 4;
    }

    private static int putLongLe(byte[] b, int p, long v) {
        putIntLe(b, p, (int) v);
        return putIntLe(b, p + 4, (int) (v >>> 32));
    }

    private static int getIntLe(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    private static long getLongLe(byte[] b, int p) {
        return (getIntLe(b, p) & 0xFFFFFFFFL) | ((long) getIntLe(b, p + 4) << 32);
    }

    /** One zstd context per thread and direction: making one costs more than compressing a record. */
    private static final class ZstdContexts {
        static final ThreadLocal<ZstdCompressCtx> COMPRESS = ThreadLocal.withInitial(
                () -> new ZstdCompressCtx().setLevel(ZSTD_LEVEL).setContentSize(true));
        static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);
    }

    /** Loaded on first use of LZ4 only, so that a worker without lz4-java can still use the other codecs. */
    private static final class Lz4 {
        static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
        static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();
    }
}
