package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.WrappedKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One encrypted record value, as carried in Kafka. See {@link EnvelopeSchema} for the fields'
 * meaning and {@link AssociatedData} for which of them the authentication tag covers. The data key travels
 * wrapped once per KEK of the writer's keyring: the first copy in {@code keyId}, {@code wrappedDataKey} and
 * {@code dataKeyWrapAlgorithm}, any others in {@code additionalWrappedKeys} (never null; empty for one KEK).
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
        byte[] dataKeySignature,
        List<WrappedKey> additionalWrappedKeys) {

    public Envelope {
        additionalWrappedKeys = additionalWrappedKeys == null ? List.of() : List.copyOf(additionalWrappedKeys);
    }

    /** An envelope whose data key is wrapped by one KEK. */
    public Envelope(int envelopeVersion, String id, long timestamp, String eventType, byte[] encryptedPayload, String keyId,
                    String encryptionAlgorithm, byte[] iv, Map<String, String> metadata, byte[] wrappedDataKey,
                    String dataKeyWrapAlgorithm, String payloadFormat, byte[] payloadSchema, String context,
                    byte[] dataKeyCommitment, String signingKeyId, byte[] dataKeySignature) {
        this(envelopeVersion, id, timestamp, eventType, encryptedPayload, keyId, encryptionAlgorithm, iv, metadata,
                wrappedDataKey, dataKeyWrapAlgorithm, payloadFormat, payloadSchema, context, dataKeyCommitment, signingKeyId,
                dataKeySignature, List.of());
    }

    /** An envelope without a data key signature. */
    public Envelope(int envelopeVersion, String id, long timestamp, String eventType, byte[] encryptedPayload, String keyId,
                    String encryptionAlgorithm, byte[] iv, Map<String, String> metadata, byte[] wrappedDataKey,
                    String dataKeyWrapAlgorithm, String payloadFormat, byte[] payloadSchema, String context,
                    byte[] dataKeyCommitment) {
        this(envelopeVersion, id, timestamp, eventType, encryptedPayload, keyId, encryptionAlgorithm, iv, metadata,
                wrappedDataKey, dataKeyWrapAlgorithm, payloadFormat, payloadSchema, context, dataKeyCommitment, null, null);
    }

    /** The first wrapped copy of the data key (the writer's first KEK that wrapped it). */
    public WrappedKey wrappedKey() {
        return new WrappedKey(keyId, dataKeyWrapAlgorithm, wrappedDataKey);
    }

    /** Every wrapped copy of the data key, in the writer's keyring order. */
    public List<WrappedKey> wrappedKeys() {
        if (additionalWrappedKeys.isEmpty()) {
            return List.of(wrappedKey());
        }
        List<WrappedKey> all = new ArrayList<>(1 + additionalWrappedKeys.size());
        all.add(wrappedKey());
        all.addAll(additionalWrappedKeys);
        return all;
    }

    /** This envelope with its data key wrapped as {@code copies} (at least one) instead; nothing else changes. */
    public Envelope withWrappedKeys(List<WrappedKey> copies) {
        if (copies.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one wrapped copy of its data key");
        }
        WrappedKey first = copies.get(0);
        return new Envelope(envelopeVersion, id, timestamp, eventType, encryptedPayload, first.keyId(), encryptionAlgorithm,
                iv, metadata, first.wrapped(), first.algorithm(), payloadFormat, payloadSchema, context, dataKeyCommitment,
                signingKeyId, dataKeySignature, copies.subList(1, copies.size()));
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
                + encryptionAlgorithm + (additionalWrappedKeys.isEmpty() ? "" : ", +" + additionalWrappedKeys.size() + " wrapped copies")
                + ", format=" + payloadFormat + ", " + encryptedPayload.length + " bytes]";
    }
}
