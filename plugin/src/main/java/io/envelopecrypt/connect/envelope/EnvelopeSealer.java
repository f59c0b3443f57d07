package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.crypto.AesGcm;
import io.envelopecrypt.connect.crypto.DataKey;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.BinaryWriter;
import io.envelopecrypt.connect.payload.PayloadCodec;

/**
 * Encodes a value, encrypts it under a data key and builds the envelope. The plaintext lives only in a
 * per-thread buffer that is wiped before this method returns, whether encryption succeeded or not.
 */
public final class EnvelopeSealer {
    private static final ThreadLocal<BinaryWriter> PLAINTEXT = ThreadLocal.withInitial(BinaryWriter::new);

    private final AesGcm aead;

    public EnvelopeSealer(AesGcm aead) {
        this.aead = aead;
    }

    public Envelope seal(PayloadCodec codec, Object value, EnvelopeHeader header, DataKey key) {
        BinaryWriter plaintext = PLAINTEXT.get();
        plaintext.reset();
        try {
            codec.encode(value, plaintext);
            WrappedKey wrapped = key.wrapped();
            byte[] iv = key.nextIv();
            AssociatedData aad = AssociatedData.compute(EnvelopeSchema.VERSION, header.id(), header.timestamp(),
                    header.eventType(), AesGcm.ALGORITHM, codec.derived(AssociatedData::payloadBinding), header.metadata());
            byte[] ciphertext = aead.encrypt(key, iv, aad.buffer(), aad.length(), plaintext.buffer(), 0, plaintext.length());
            return new Envelope(EnvelopeSchema.VERSION, header.id(), header.timestamp(), header.eventType(),
                    ciphertext, wrapped.keyId(), AesGcm.ALGORITHM, iv, header.metadata(), wrapped.wrapped(),
                    wrapped.algorithm(), codec.format(), codec.payloadSchema());
        } finally {
            plaintext.wipe();
        }
    }
}
