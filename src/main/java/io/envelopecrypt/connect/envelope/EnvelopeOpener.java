package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import java.util.Arrays;

import javax.crypto.AEADBadTagException;

/**
 * Checks an envelope's version, algorithm and format, authenticates and decrypts its payload and decodes
 * the original value.
 */
public final class EnvelopeOpener {
    private final PayloadCodecCache codecs;

    public EnvelopeOpener(PayloadCodecCache codecs) {
        this.codecs = codecs;
    }

    /** Rejects envelopes this version cannot open, before any key is unwrapped. */
    public PayloadCodec check(Envelope e) {
        if (e.envelopeVersion() != EnvelopeSchema.VERSION) {
            throw new MalformedEnvelopeException("Unsupported envelope version " + e.envelopeVersion()
                    + "; this plugin reads version " + EnvelopeSchema.VERSION);
        }
        if (!AesGcmKey.ALGORITHM.equals(e.encryptionAlgorithm())) {
            throw new MalformedEnvelopeException("Unsupported encryption algorithm '" + e.encryptionAlgorithm()
                    + "'; this plugin decrypts " + AesGcmKey.ALGORITHM);
        }
        if (e.iv().length != AesGcmKey.IV_BYTES) {
            throw new MalformedEnvelopeException("The envelope's IV has " + e.iv().length + " bytes, expected "
                    + AesGcmKey.IV_BYTES);
        }
        if (e.encryptedPayload().length < AesGcmKey.TAG_BYTES) {
            throw new MalformedEnvelopeException("The envelope's encryptedPayload is shorter than the GCM tag");
        }
        if (PayloadCodec.FORMAT_AVRO.equals(e.payloadFormat())) {
            if (e.payloadSchema() == null) {
                throw new MalformedEnvelopeException("The envelope has format 'avro' but no payloadSchema");
            }
            return codecs.forPayloadSchema(e.payloadSchema());
        }
        if (PayloadCodec.FORMAT_AVRO_SCHEMALESS.equals(e.payloadFormat())) {
            if (e.payloadSchema() != null) {
                throw new MalformedEnvelopeException("The envelope has format 'avro-schemaless' and a payloadSchema");
            }
            return PayloadCodec.SCHEMALESS;
        }
        throw new MalformedEnvelopeException("Unsupported payload format '" + e.payloadFormat() + "'");
    }

    /** An envelope id fit for an error message: it is cleartext, but may be long or hostile. */
    static String describeId(String id) {
        StringBuilder sb = new StringBuilder(Math.min(id.length(), 64) + 2).append('\'');
        for (int i = 0; i < id.length() && i < 64; i++) {
            char c = id.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.append(id.length() > 64 ? "...'" : "'").toString();
    }

    /** Decrypts and decodes with a data key in hand; {@code codec} comes from {@link #check}. */
    public Object open(Envelope e, PayloadCodec codec, AesGcmKey key) {
        // The codec was found by this envelope's exact format and payload schema, so its cached digest is
        // this envelope's payload binding.
        AssociatedData aad = AssociatedData.compute(e.envelopeVersion(), e.id(), e.timestamp(), e.eventType(),
                e.encryptionAlgorithm(), codec.derived(AssociatedData::payloadBinding), e.metadata());
        byte[] plaintext;
        try {
            plaintext = key.open(e.iv(), aad.buffer(), aad.length(), e.encryptedPayload());
        } catch (AEADBadTagException ex) {
            throw new EnvelopeAuthenticationException("Envelope " + describeId(e.id()) + " failed authentication: its ciphertext, IV or one of "
                    + "its authenticated fields was altered, or it was encrypted under a different data key");
        }
        try {
            return codec.decode(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }
}
