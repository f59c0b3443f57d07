package io.envelopecrypt.connect.payload;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends Avro binary encoding (https://avro.apache.org/docs/1.12.0/specification/#binary-encoding)
 * to a growable array. One instance per thread is reused for every record, so encoding allocates
 * nothing once the buffer has grown to the typical record size.
 *
 * <p>Hand-written rather than Avro's {@code BinaryEncoder} because, with the compiled codecs, encoding the 1 KB
 * benchmark Struct runs 1.8 times as fast and allocates 64 bytes instead of 2,740 compared with Avro's encoder
 * plus the Connect-to-GenericRecord conversion it needs; the bytes are identical (docs/performance.md,
 * {@code CodecBenchmark}).
 */
public final class BinaryWriter {
    private static final int MAX_RETAINED = 1 << 20;
    private byte[] buf = new byte[1024];
    private int pos;

    public void reset() {
        if (buf.length > MAX_RETAINED) {
            buf = new byte[1024];
        }
        pos = 0;
    }

    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return pos;
    }

    /** Overwrites what was written (it may be plaintext) so it does not linger in memory. */
    public void wipe() {
        Arrays.fill(buf, 0, pos, (byte) 0);
        pos = 0;
    }

    /** The buffer, with room for {@code n} more bytes at {@link #length()}; {@link #advance} then claims them. */
    byte[] reserve(int n) {
        ensure(n);
        return buf;
    }

    void advance(int n) {
        pos += n;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            int needed = pos + extra;
            if (needed < 0) {
                throw new IllegalStateException("record too large to encode");
            }
            byte[] bigger = new byte[Math.max(needed, buf.length * 2)];
            System.arraycopy(buf, 0, bigger, 0, pos);
            Arrays.fill(buf, 0, pos, (byte) 0);
            buf = bigger;
        }
    }

    void writeBoolean(boolean b) {
        ensure(1);
        buf[pos++] = (byte) (b ? 1 : 0);
    }

    void writeInt(int n) {
        writeLong(n);
    }

    void writeLong(long n) {
        ensure(10);
        byte[] b = buf;
        int p = pos;
        long z = (n << 1) ^ (n >> 63);
        while ((z & ~0x7FL) != 0) {
            b[p++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        b[p++] = (byte) z;
        pos = p;
    }

    void writeFloat(float f) {
        ensure(4);
        int bits = Float.floatToRawIntBits(f);
        buf[pos++] = (byte) bits;
        buf[pos++] = (byte) (bits >>> 8);
        buf[pos++] = (byte) (bits >>> 16);
        buf[pos++] = (byte) (bits >>> 24);
    }

    void writeDouble(double d) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
    }

    void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    void writeBytes(byte[] bytes, int offset, int length) {
        writeLong(length);
        ensure(length);
        System.arraycopy(bytes, offset, buf, pos, length);
        pos += length;
    }

    void writeBytes(ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        int length = view.remaining();
        writeLong(length);
        ensure(length);
        view.get(buf, pos, length);
        pos += length;
    }

    void writeString(String s) {
        // ASCII, the common case, is copied straight into the buffer: its UTF-8 length is its char count,
        // so the length prefix goes first. Anything else falls back to an encoded copy.
        int n = s.length();
        ensure(10 + n);
        int start = pos;
        writeLong(n);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                pos = start;
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                writeBytes(utf8, 0, utf8.length);
                return;
            }
            b[p++] = (byte) c;
        }
        pos = p;
    }

    /**
     * Avro decimal bytes: the unscaled value's big-endian two's complement in the fewest bytes, exactly as
     * {@link BigInteger#toByteArray()} gives it, without allocating that array when the value fits a long.
     */
    void writeDecimalUnscaled(BigInteger unscaled) {
        int bits = unscaled.bitLength();
        if (bits > 63) {
            writeBytes(unscaled.toByteArray());
            return;
        }
        long v = unscaled.longValue();
        int n = bits / 8 + 1;
        writeLong(n);
        ensure(n);
        for (int i = n - 1; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    void writeIndex(int unionIndex) {
        writeLong(unionIndex);
    }

    void writeFixed(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }
}
