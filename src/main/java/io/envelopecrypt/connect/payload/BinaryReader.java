package io.envelopecrypt.connect.payload;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads Avro binary encoding from an array, checking every length against the bytes that remain,
 * so that malformed input fails with {@link MalformedPayloadException} instead of a huge allocation.
 *
 * <p>Hand-written rather than Avro's {@code BinaryDecoder} because, with the compiled codecs, decoding the 1 KB
 * benchmark Struct runs 4.3 times as fast and allocates 3.5 times less than Avro's decoder plus the conversion to
 * Connect it needs (docs/performance.md, {@code CodecBenchmark}).
 */
final class BinaryReader {
    /** Items of an empty type (a Struct without fields: zero bytes each) one payload may hold beyond its size. */
    static final long EMPTY_ITEM_SLACK = 65_536L;

    private final byte[] buf;
    private final int end;
    private int pos;
    /**
     * Items (array elements, map entries) this reader may still decode, across all blocks of the payload. Every
     * item costs at least one byte unless its type is empty (a Struct without fields), so a valid payload never
     * declares more items than it has bytes, plus a slack for empty items; without a total, a few bytes of
     * repeated block counts could declare billions of empty items.
     */
    private long itemBudget;

    BinaryReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    BinaryReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
        this.itemBudget = length + EMPTY_ITEM_SLACK;
    }

    boolean atEnd() {
        return pos == end;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n) {
        if (n < 0 || n > end - pos) {
            throw new MalformedPayloadException("payload is truncated or has an invalid length");
        }
    }

    boolean readBoolean() {
        need(1);
        byte b = buf[pos++];
        if (b != 0 && b != 1) {
            throw new MalformedPayloadException("invalid boolean byte");
        }
        return b == 1;
    }

    int readInt() {
        long n = readLong();
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new MalformedPayloadException("int out of range");
        }
        return (int) n;
    }

    long readLong() {
        long z = 0;
        int shift = 0;
        while (true) {
            need(1);
            byte b = buf[pos++];
            z |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new MalformedPayloadException("varint is too long");
            }
        }
        return (z >>> 1) ^ -(z & 1);
    }

    float readFloat() {
        need(4);
        int bits = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    double readDouble() {
        need(8);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits |= (long) (buf[pos + i] & 0xFF) << (8 * i);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    private int readLength() {
        long n = readLong();
        if (n < 0 || n > end - pos) {
            throw new MalformedPayloadException("payload is truncated or has an invalid length");
        }
        return (int) n;
    }

    byte[] readBytes() {
        int n = readLength();
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** An Avro decimal's bytes as a BigDecimal; compact (no BigInteger) when the value fits a long. */
    BigDecimal readDecimal(int scale, String where) {
        int n = readLength();
        if (n == 0) {
            throw new MalformedPayloadException(where + ": empty decimal");
        }
        BigDecimal d;
        if (n <= 8) {
            long v = buf[pos]; // sign-extends the first byte
            for (int i = 1; i < n; i++) {
                v = (v << 8) | (buf[pos + i] & 0xFF);
            }
            d = BigDecimal.valueOf(v, scale);
        } else {
            d = new BigDecimal(new BigInteger(buf, pos, n), scale);
        }
        pos += n;
        return d;
    }

    String readString() {
        int n = readLength();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    int readIndex(int branches) {
        long i = readLong();
        if (i < 0 || i >= branches) {
            throw new MalformedPayloadException("union branch index out of range");
        }
        return (int) i;
    }

    /**
     * Reads the item count of the next array or map block (0 ends the array or map). A negative count
     * is followed by the block's size in bytes, which we do not need.
     */
    long readBlockCount() {
        long n = readLong();
        if (n < 0) {
            if (n == Long.MIN_VALUE) {
                throw new MalformedPayloadException("invalid block count");
            }
            n = -n;
            readLong();
        }
        itemBudget -= n;
        if (itemBudget < 0) {
            throw new MalformedPayloadException("the payload declares more items than its size allows");
        }
        return n;
    }
}
