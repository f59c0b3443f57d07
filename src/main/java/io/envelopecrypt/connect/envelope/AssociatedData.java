package io.envelopecrypt.connect.envelope;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The associated data that AES-GCM authenticates with each payload: every envelope field except the
 * ciphertext, the IV (which GCM authenticates as the nonce), the three fields of the wrapped data key and
 * the data key commitment (a function of the data key, checked before decryption).
 *
 * <p>Binding these fields means a change to any of them makes decryption fail: an envelope cannot be
 * replayed under another id, time, event type, context or metadata, and its payload schema cannot be replaced to
 * make the same bytes decode differently. The wrapped key ({@code keyId}, {@code dataKeyWrapAlgorithm},
 * {@code wrappedDataKey}) is left out on purpose: the data key authenticates itself (a changed wrapped key
 * fails to unwrap or yields another key, and the tag check fails), and leaving it out lets the key be
 * re-wrapped under a new KEK version or vault without touching the payload (the CLI's {@code rewrap}).
 *
 * <p>The payload schema (hundreds of bytes) is bound through its SHA-256 digest, computed once per schema,
 * so the per-record associated data stays around a hundred bytes. Layout (integers big-endian):
 * <pre>
 *   int32  envelopeVersion
 *   field  id
 *   int64  timestamp
 *   field  eventType
 *   field  context
 *   field  encryptionAlgorithm
 *   32 B   payloadBinding = SHA-256(field payloadFormat, field payloadSchema)   (payloadSchema as carried)
 *   int32  metadata entry count, or -1 when metadata is absent
 *          then per entry, sorted by the key's UTF-8 bytes (unsigned): field key, field value
 *
 *   field = int32 length followed by that many bytes (strings as UTF-8), or int32 -1 for null
 * </pre>
 * One builder per thread is reused, so computing the associated data allocates nothing in steady state.
 */
public final class AssociatedData {
    private static final ThreadLocal<AssociatedData> BUILDERS = ThreadLocal.withInitial(AssociatedData::new);
    private static final int MAX_RETAINED = 1 << 20;
    public static final int BINDING_BYTES = 32;

    private byte[] buf = new byte[512];
    private int pos;

    private AssociatedData() {
    }

    /**
     * Computes the associated data for an envelope's fields into this thread's buffer;
     * read the result with {@link #buffer()} and {@link #length()} before the next call on this thread.
     */
    public static AssociatedData compute(int envelopeVersion, String id, long timestamp, String eventType,
                                         String context, String encryptionAlgorithm, String payloadFormat,
                                         byte[] payloadSchema, Map<String, String> metadata) {
        return compute(envelopeVersion, id, timestamp, eventType, context, encryptionAlgorithm,
                payloadBinding(payloadFormat, payloadSchema), metadata);
    }

    /** The associated data of an envelope as carried. */
    public static AssociatedData of(Envelope e) {
        return compute(e.envelopeVersion(), e.id(), e.timestamp(), e.eventType(), e.context(), e.encryptionAlgorithm(),
                e.payloadFormat(), e.payloadSchema(), e.metadata());
    }

    /** As above, with the payload binding already computed (it is cached per schema). */
    public static AssociatedData compute(int envelopeVersion, String id, long timestamp, String eventType,
                                         String context, String encryptionAlgorithm, byte[] payloadBinding,
                                         Map<String, String> metadata) {
        AssociatedData ad = BUILDERS.get();
        ad.reset();
        ad.putInt(envelopeVersion);
        ad.putString(id);
        ad.putLong(timestamp);
        ad.putString(eventType);
        ad.putString(context);
        ad.putString(encryptionAlgorithm);
        ad.putRaw(payloadBinding);
        ad.putMetadata(metadata);
        return ad;
    }

    /** SHA-256 of the payload description: {@code field payloadFormat, field payloadSchema}. */
    public static byte[] payloadBinding(String payloadFormat, byte[] payloadSchema) {
        AssociatedData ad = new AssociatedData();
        ad.putString(payloadFormat);
        ad.putBytes(payloadSchema);
        return ad.sha256();
    }

    private byte[] sha256() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(buf, 0, pos);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return pos;
    }

    /** A copy of the computed bytes (for tests and documentation). */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void reset() {
        if (buf.length > MAX_RETAINED) {
            buf = new byte[512];
        }
        pos = 0;
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(pos + extra, buf.length * 2));
        }
    }

    private void putInt(int v) {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void putRaw(byte[] bytes) {
        if (bytes.length != BINDING_BYTES) {
            throw new IllegalArgumentException("a binding is " + BINDING_BYTES + " bytes");
        }
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void putBytes(byte[] bytes) {
        if (bytes == null) {
            putInt(-1);
            return;
        }
        putInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void putString(String s) {
        if (s == null) {
            putInt(-1);
            return;
        }
        int n = s.length();
        ensure(4 + n);
        int lengthAt = pos;
        pos += 4;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                pos = lengthAt;
                putBytes(s.getBytes(StandardCharsets.UTF_8));
                return;
            }
            buf[pos++] = (byte) c;
        }
        int end = pos;
        pos = lengthAt;
        putInt(n);
        pos = end;
    }

    private void putMetadata(Map<String, String> metadata) {
        if (metadata == null) {
            putInt(-1);
            return;
        }
        putInt(metadata.size());
        if (metadata.isEmpty()) {
            return;
        }
        List<byte[][]> entries = new ArrayList<>(metadata.size());
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            byte[] key = e.getKey() == null ? null : e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = e.getValue() == null ? null : e.getValue().getBytes(StandardCharsets.UTF_8);
            entries.add(new byte[][] {key, value});
        }
        entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        for (byte[][] entry : entries) {
            putBytes(entry[0]);
            putBytes(entry[1]);
        }
    }
}
