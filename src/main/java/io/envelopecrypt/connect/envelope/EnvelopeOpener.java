package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.RecordText;
import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;
import io.envelopecrypt.connect.payload.PayloadCompression;

import java.util.Arrays;

import javax.crypto.AEADBadTagException;

/**
 * Opens envelopes in the one order that keeps a hostile topic writer from making the reader do expensive work:
 * {@link #check} the header (version, algorithms, lengths: nothing parsed), then, with the data key in hand,
 * {@link #open} compares the key with the envelope's commitment, authenticates the ciphertext against the
 * associated data (which binds the payload schema by the SHA-256 of its bytes as carried) and only then
 * inflates and parses the payload schema (or fetches it from the registry and checks it against the digest the
 * envelope carries), decompresses and decodes.
 */
public final class EnvelopeOpener {
    private final PayloadCodecCache codecs;
    /** Where registry references are resolved; null when this reader has no schema registry. */
    private final RegisteredSchemas registry;
    /**
     * The payload schema seen last, with its binding and, once an envelope carrying it has authenticated, its
     * codec: a stream almost always repeats one schema, so one comparison of its bytes serves both.
     */
    private volatile Binding lastBinding;

    private record Binding(String format, byte[] payloadSchema, byte[] digest, PayloadCodec codec) {
    }

    /** An opener for envelopes that carry their payload schema (no registry). */
    public EnvelopeOpener(PayloadCodecCache codecs) {
        this(codecs, null);
    }

    /** @param registry resolves payload schemas kept in a schema registry (null: such envelopes are refused) */
    public EnvelopeOpener(PayloadCodecCache codecs, RegisteredSchemas registry) {
        this.codecs = codecs;
        this.registry = registry;
    }

    /**
     * Rejects envelopes this version cannot open, before any key is unwrapped (by a reader, or by {@code rewrap});
     * parses nothing.
     */
    public static void check(Envelope e) {
        if (e.envelopeVersion() != EnvelopeSchema.VERSION) {
            throw new MalformedEnvelopeException("Unsupported envelope version " + e.envelopeVersion()
                    + "; this plugin reads version " + EnvelopeSchema.VERSION);
        }
        if (!AesGcmKey.ALGORITHM.equals(e.encryptionAlgorithm())) {
            throw new MalformedEnvelopeException("Unsupported encryption algorithm " + quoted(e.encryptionAlgorithm())
                    + "; this plugin decrypts " + AesGcmKey.ALGORITHM);
        }
        if (e.iv().length != AesGcmKey.IV_BYTES) {
            throw new MalformedEnvelopeException("The envelope's IV has " + e.iv().length + " bytes, expected "
                    + AesGcmKey.IV_BYTES);
        }
        if (e.encryptedPayload().length < AesGcmKey.TAG_BYTES) {
            throw new MalformedEnvelopeException("The envelope's encryptedPayload is shorter than the GCM tag");
        }
        if (e.dataKeyCommitment() == null || e.dataKeyCommitment().length != AesGcmKey.COMMITMENT_BYTES) {
            throw new MalformedEnvelopeException("The envelope's dataKeyCommitment is missing or not "
                    + AesGcmKey.COMMITMENT_BYTES + " bytes");
        }
        if ((e.signingKeyId() == null) != (e.dataKeySignature() == null)) {
            throw new MalformedEnvelopeException("The envelope has only one of signingKeyId and dataKeySignature");
        }
        String format = e.payloadFormat();
        PayloadCompression compression = format == null ? null : PayloadCompression.ofFormat(format);
        String base = compression == null ? null : format.substring(0, format.length() - compression.formatSuffix().length());
        if (PayloadCodec.FORMAT_AVRO.equals(base)) {
            if (e.payloadSchema() == null) {
                throw new MalformedEnvelopeException("The envelope has format 'avro' but no payloadSchema");
            }
            return;
        }
        if (PayloadCodec.FORMAT_AVRO_SCHEMALESS.equals(base)) {
            if (e.payloadSchema() != null) {
                throw new MalformedEnvelopeException("The envelope has format 'avro-schemaless' and a payloadSchema");
            }
            return;
        }
        if (PayloadCodec.FORMAT_AVRO_REGISTRY.equals(base)) {
            if (e.payloadSchema() == null || e.payloadSchema().length != PayloadCodec.REGISTRY_REFERENCE_BYTES) {
                throw new MalformedEnvelopeException("The envelope has format 'avro-registry' but its payloadSchema is not a "
                        + PayloadCodec.REGISTRY_REFERENCE_BYTES + "-byte registry reference");
            }
            return;
        }
        throw new MalformedEnvelopeException("Unsupported payload format " + quoted(format));
    }

    /**
     * Refuses an envelope not bound to {@code expected} (a reader's configured context; null accepts any), before
     * any key is unwrapped. The context is authenticated with the payload, so a rewritten one fails there too.
     */
    public static void checkContext(Envelope e, String expected) {
        if (expected != null && !expected.equals(e.context())) {
            throw new EnvelopeAuthenticationException("Envelope " + describeId(e.id()) + " is bound to "
                    + (e.context() == null ? "no context" : "the context " + quoted(e.context()))
                    + ", but this reader accepts only " + quoted(expected) + " (envelope.context): it was written for "
                    + "another topic or copied from one");
        }
    }

    /**
     * The {@code dataKeyCommitment} of a raw data key (not kept, not wiped: the caller owns it), for tools that
     * handle data keys without decrypting, such as {@code rewrap}.
     */
    public static byte[] commitmentOf(byte[] dataKey) {
        AesGcmKey key = new AesGcmKey(dataKey.clone());
        try {
            return key.commitment();
        } finally {
            key.retire();
        }
    }

    /** An envelope id fit for an error message: it is cleartext, but may be long or hostile. */
    static String describeId(String id) {
        return quoted(id);
    }

    /** Cleartext from a record, fit for a message: at most 64 characters, control characters replaced. */
    static String quoted(String text) {
        return RecordText.quoted(text);
    }

    /**
     * Authenticates and decrypts with the envelope's data key in hand ({@link #check} first), then decodes.
     * Nothing the envelope carries is parsed before the tag has been checked.
     */
    public PlaintextAndCodec open(Envelope e, AesGcmKey key) {
        if (!key.commitsTo(e.dataKeyCommitment())) {
            throw new EnvelopeAuthenticationException("Envelope " + describeId(e.id()) + " failed authentication: its "
                    + "wrapped data key is not the key its dataKeyCommitment names (the wrapped key or the commitment was "
                    + "replaced)");
        }
        Binding binding = binding(e.payloadFormat(), e.payloadSchema());
        AssociatedData aad = AssociatedData.compute(e.envelopeVersion(), e.id(), e.timestamp(), e.eventType(),
                e.context(), e.encryptionAlgorithm(), binding.digest(), e.metadata());
        byte[] plaintext;
        try {
            plaintext = key.open(e.iv(), aad.buffer(), aad.length(), e.encryptedPayload());
        } catch (AEADBadTagException ex) {
            throw new EnvelopeAuthenticationException("Envelope " + describeId(e.id()) + " failed authentication: its ciphertext, IV or one of "
                    + "its authenticated fields was altered, or it was encrypted under a different data key");
        }
        try {
            PayloadCodec codec = binding.codec();
            if (codec == null) {
                // Parsed (or fetched) only now, after authentication, and remembered with the binding for the next envelope.
                codec = codecFor(e);
                lastBinding = new Binding(binding.format(), binding.payloadSchema(), binding.digest(), codec);
            }
            return new PlaintextAndCodec(codec, codec.decode(plaintext));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private PayloadCodec codecFor(Envelope e) {
        String format = e.payloadFormat();
        PayloadCompression compression = PayloadCompression.ofFormat(format);
        PayloadCodec codec;
        if (format.startsWith(PayloadCodec.FORMAT_AVRO_SCHEMALESS)) {
            codec = PayloadCodec.SCHEMALESS;
        } else if (format.startsWith(PayloadCodec.FORMAT_AVRO_REGISTRY)) {
            codec = codecs.forRegistryReference(e.payloadSchema(), reference -> fetch(e, reference));
        } else {
            codec = codecs.forPayloadSchema(e.payloadSchema());
        }
        return codec.withCompression(compression);
    }

    /**
     * The schema a registry reference names, checked against the digest the writer bound into the associated data:
     * a registry that serves another schema under the id (an altered entry, or not the writer's registry) makes the
     * envelope fail authentication instead of decoding into a wrong value.
     */
    private PayloadCodec fetch(Envelope e, byte[] reference) {
        int id = PayloadCodec.registryId(reference);
        if (registry == null) {
            throw new org.apache.kafka.connect.errors.ConnectException("Envelope " + describeId(e.id()) + " keeps its "
                    + "payload schema in a schema registry (schema id " + id + "), and this reader has no schema.registry.url");
        }
        String schema = registry.schemaText(id);
        if (!PayloadCodec.referencesSchema(reference, schema)) {
            throw new EnvelopeAuthenticationException("Envelope " + describeId(e.id()) + " failed authentication: the "
                    + "schema registry serves a different schema under id " + id + " than the one the envelope was written "
                    + "with (its SHA-256 differs): the registry entry was altered, or this is not the writer's registry");
        }
        return PayloadCodec.fromRegisteredSchema(schema, reference);
    }

    /** The decoded value and the codec that describes it (its Connect schema). */
    public record PlaintextAndCodec(PayloadCodec codec, Object value) {
        @Override
        public String toString() {
            return "PlaintextAndCodec[" + codec.format() + "]";
        }
    }

    /** JSON characters of the payload schemas whose codecs are cached (bounded). */
    public long cachedSchemaChars() {
        return codecs.payloadSchemaChars();
    }

    private Binding binding(String format, byte[] payloadSchema) {
        Binding last = lastBinding;
        if (last != null && last.format().equals(format) && Arrays.equals(last.payloadSchema(), payloadSchema)) {
            return last;
        }
        Binding fresh = new Binding(format, payloadSchema == null ? null : payloadSchema.clone(),
                AssociatedData.payloadBinding(format, payloadSchema), null);
        lastBinding = fresh;
        return fresh;
    }
}
