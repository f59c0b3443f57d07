package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.AesGcm;
import io.envelopecrypt.connect.crypto.DataKey;
import io.envelopecrypt.connect.crypto.UnwrappedKeyCache;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;

import java.util.Arrays;

import javax.crypto.AEADBadTagException;

/**
 * Checks an envelope's version, algorithm and format, authenticates and decrypts its payload and decodes
 * the original value.
 */
public final class EnvelopeOpener {
    private final AesGcm aead;
    private final PayloadCodecCache codecs;

    public EnvelopeOpener(AesGcm aead, PayloadCodecCache codecs) {
        this.aead = aead;
        this.codecs = codecs;
    }

    /** Rejects envelopes this version cannot open, before any key is unwrapped. */
    public PayloadCodec check(Envelope e) {
        if (e.envelopeVersion() != EnvelopeSchema.VERSION) {
            throw new MalformedEnvelopeException("Unsupported envelope version " + e.envelopeVersion()
                    + "; this plugin reads version " + EnvelopeSchema.VERSION);
        }
        if (!AesGcm.ALGORITHM.equals(e.encryptionAlgorithm())) {
            throw new MalformedEnvelopeException("Unsupported encryption algorithm '" + e.encryptionAlgorithm()
                    + "'; this plugin decrypts " + AesGcm.ALGORITHM);
        }
        if (e.iv().length != AesGcm.IV_BYTES) {
            throw new MalformedEnvelopeException("The envelope's IV has " + e.iv().length + " bytes, expected "
                    + AesGcm.IV_BYTES);
        }
        if (e.encryptedPayload().length < AesGcm.TAG_BYTES) {
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

    /**
     * Unwraps the data key through {@code keys} (one KEK call per distinct data key), decrypts and decodes;
     * {@code codec} comes from {@link #check}. Key failures come as the KEK provider's exceptions; any other
     * failure that is not already a Connect exception becomes a {@link DataException} naming only its type,
     * so no exception message from a library that saw plaintext goes further.
     */
    public Object open(Envelope e, PayloadCodec codec, UnwrappedKeyCache keys) {
        DataKey key = keys.acquire(e.wrappedKey());
        try {
            return open(e, codec, key);
        } catch (ConnectException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw new DataException("Decrypting the envelope failed (" + ex.getClass().getSimpleName() + ")",
                    SanitizedCause.of(ex));
        } finally {
            key.release();
        }
    }

    /** Decrypts and decodes with a data key in hand; {@code codec} comes from {@link #check}. */
    public Object open(Envelope e, PayloadCodec codec, DataKey key) {
        // The codec was found by this envelope's exact format and payload schema, so its cached digest is
        // this envelope's payload binding.
        AssociatedData aad = AssociatedData.compute(e.envelopeVersion(), e.id(), e.timestamp(), e.eventType(),
                e.encryptionAlgorithm(), codec.derived(AssociatedData::payloadBinding), e.metadata());
        byte[] plaintext;
        try {
            plaintext = aead.decrypt(key, e.iv(), aad.buffer(), aad.length(), e.encryptedPayload());
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
