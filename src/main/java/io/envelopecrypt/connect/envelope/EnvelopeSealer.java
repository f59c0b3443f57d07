package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.crypto.SealingKey;
import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.BinaryWriter;
import io.envelopecrypt.connect.payload.PayloadCodec;

import java.util.List;

/**
 * Encodes a value, encrypts it under a data key and builds the envelope. The plaintext lives only in a
 * per-thread buffer that is wiped before this method returns, whether encryption succeeded or not.
 */
public final class EnvelopeSealer {
    private static final ThreadLocal<BinaryWriter> PLAINTEXT = ThreadLocal.withInitial(BinaryWriter::new);

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
        BinaryWriter plaintext = PLAINTEXT.get();
        plaintext.reset();
        try {
            codec.encode(value, plaintext);
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
            plaintext.wipe();
        }
    }
}
