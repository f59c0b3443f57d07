package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.WrappedKey;

import java.util.Map;

/**
 * One encrypted record value, as carried in Kafka. See {@link EnvelopeSchema} for the fields'
 * meaning and {@link AssociatedData} for which of them the authentication tag covers.
 */
public record Envelope(
        int envelopeVersion,
        String id,
        long timestamp,
        String eventType,
        byte[] encryptedPayload,
        String keyId,
        String encryptionAlgorithm,
        byte[] iv,
        Map<String, String> metadata,
        byte[] wrappedDataKey,
        String dataKeyWrapAlgorithm,
        String payloadFormat,
        byte[] payloadSchema,
        String context,
        byte[] dataKeyCommitment,
        String signingKeyId,
        byte[] dataKeySignature) {

    /** An envelope without a data key signature. */
    public Envelope(int envelopeVersion, String id, long timestamp, String eventType, byte[] encryptedPayload, String keyId,
                    String encryptionAlgorithm, byte[] iv, Map<String, String> metadata, byte[] wrappedDataKey,
                    String dataKeyWrapAlgorithm, String payloadFormat, byte[] payloadSchema, String context,
                    byte[] dataKeyCommitment) {
        this(envelopeVersion, id, timestamp, eventType, encryptedPayload, keyId, encryptionAlgorithm, iv, metadata,
                wrappedDataKey, dataKeyWrapAlgorithm, payloadFormat, payloadSchema, context, dataKeyCommitment, null, null);
    }

    public WrappedKey wrappedKey() {
        return new WrappedKey(keyId, dataKeyWrapAlgorithm, wrappedDataKey);
    }

    /** The data key signature, or null when the envelope carries none. */
    public DataKeySignature signature() {
        return signingKeyId == null || dataKeySignature == null ? null : new DataKeySignature(signingKeyId, dataKeySignature);
    }

    /** Length of the encoded plaintext (the ciphertext without its tag). */
    public int plaintextLength() {
        return encryptedPayload.length - AesGcmKey.TAG_BYTES;
    }

    /** Deliberately omits the ciphertext and the wrapped key. */
    @Override
    public String toString() {
        return "Envelope[v" + envelopeVersion + ", id=" + id + ", keyId=" + keyId + ", algorithm="
                + encryptionAlgorithm + ", format=" + payloadFormat + ", " + encryptedPayload.length + " bytes]";
    }
}
