package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.crypto.SealingKey;
import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.BinaryWriter;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCompression;

import java.util.List;

/**
 * Encodes a value (and compresses it, if the codec says so), encrypts it under a data key and builds the envelope.
 * The plaintext lives only in per-thread buffers that are wiped before this method returns, whether encryption
 * succeeded or not.
 */
public final class EnvelopeSealer {
    private static final ThreadLocal<BinaryWriter> PLAINTEXT = ThreadLocal.withInitial(BinaryWriter::new);
    private static final ThreadLocal<BinaryWriter> COMPRESSED = ThreadLocal.withInitial(BinaryWriter::new);

    /** {@code wrapped} is {@code key} wrapped by the KEK, carried in the envelope. */
    public Envelope seal(PayloadCodec codec, Object value, EnvelopeHeader header, SealingKey key, WrappedKey wrapped) {
        return seal(codec, value, header, key, List.of(wrapped), null);
    }

    /**
     * As above, with every wrapped copy of the key (one per KEK of the keyring, at least one) and the data key's
     * signature (null when data keys are not signed).
     */
    public Envelope seal(PayloadCodec codec, Object value, EnvelopeHeader header, SealingKey key, List<WrappedKey> copies,
                         DataKeySignature signature) {
        return seal(codec, value, header, key, copies.get(0), List.copyOf(copies.subList(1, copies.size())), signature);
    }

    /** As above, with the first copy and the further ones apart (an immutable list, shared by every envelope). */
    public Envelope seal(PayloadCodec codec, Object value, EnvelopeHeader header, SealingKey key, WrappedKey wrapped,
                         List<WrappedKey> additional, DataKeySignature signature) {
        EnvelopeLimits.checkWritable(header, codec.payloadSchema());
        BinaryWriter encoded = PLAINTEXT.get();
        encoded.reset();
        BinaryWriter compressed = null;
        try {
            codec.encode(value, encoded);
            BinaryWriter plaintext = encoded;
            if (codec.compression() != PayloadCompression.NONE) {
                compressed = COMPRESSED.get();
                codec.compression().compress(encoded.buffer(), encoded.length(), compressed);
                plaintext = compressed;
            }
            AssociatedData aad = AssociatedData.compute(EnvelopeSchema.VERSION, header.id(), header.timestamp(),
                    header.eventType(), header.context(), AesGcmKey.ALGORITHM, codec.derived(AssociatedData::payloadBinding),
                    header.metadata());
            SealingKey.Sealed sealed = key.seal(aad.buffer(), aad.length(), plaintext.buffer(), 0, plaintext.length());
            return new Envelope(EnvelopeSchema.VERSION, header.id(), header.timestamp(), header.eventType(),
                    sealed.ciphertext(), wrapped.keyId(), AesGcmKey.ALGORITHM, sealed.iv(), header.metadata(),
                    wrapped.wrapped(), wrapped.algorithm(), codec.format(), codec.payloadSchema(), header.context(),
                    key.commitment(), signature == null ? null : signature.signingKeyId(),
                    signature == null ? null : signature.signature(), additional);
        } finally {
            encoded.wipe();
            if (compressed != null) {
                compressed.wipe();
            }
        }
    }
}
