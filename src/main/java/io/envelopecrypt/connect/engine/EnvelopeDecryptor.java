package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.AesGcmKey;
import io.envelopecrypt.connect.crypto.UnwrappedKeyCache;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.envelope.RegisteredSchemas;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.payload.PayloadCodecCache;
import io.envelopecrypt.connect.registry.SchemaRegistryClient;

import java.time.Clock;
import java.util.Objects;

/**
 * Turns an {@link Envelope} back into the original value and Connect schema: the one decrypting engine behind
 * every door (the Connect transform, the Java consumer API, the CLI). Unwrapped data keys are cached, bounded
 * in number and age, so the KEK is called once per distinct data key. With a keyring, an envelope's wrapped copies
 * are unwrapped by the configured members in order, failing over when one is unreachable or refuses.
 *
 * <p>Thread-safe. Failures never contain plaintext or key material: {@code MalformedEnvelopeException},
 * {@code EnvelopeAuthenticationException} and {@link DataKeyRejectedException} (all {@code DataException}s) for
 * a bad record; {@code KmsAccessException} for a KEK that cannot be used; {@code KmsUnavailableException}
 * (retriable) when the key service is unreachable.
 */
public final class EnvelopeDecryptor implements AutoCloseable {
    private final UnwrappedKeyCache dataKeys;
    private final EnvelopeContext context;
    private final EnvelopeOpener opener;
    private final KeyNameLabels labels = new KeyNameLabels();
    /** Hears which key each decrypted record named (metrics). */
    private final KekCallListener listener;

    /** A decryptor from settings; {@code listener} hears every KEK call (metrics). */
    public static EnvelopeDecryptor create(DecryptorConfig config, KekCallListener listener, Clock clock) {
        return create(config, listener, clock, null);
    }

    /**
     * As above; payload schemas kept in a registry are fetched from the configured {@code schema.registry.url}, or
     * else from {@code otherRegistry} (a tool's own registry option; null: none).
     */
    public static EnvelopeDecryptor create(DecryptorConfig config, KekCallListener listener, Clock clock,
                                           RegisteredSchemas otherRegistry) {
        SchemaRegistryClient configured = config.schemaRegistry();
        RegisteredSchemas registry = configured != null ? new RegistryLookups(configured, clock) : otherRegistry;
        return new EnvelopeDecryptor(config.keyring(listener), config.dekCacheMaxEntries(), config.dekCacheTtlMs(),
                config.dekUnwrapFailuresPerMinute(), config.context(), registry, listener, clock);
    }

    /** A decryptor over a provider of your own, accepting any context; it closes the provider when closed. */
    public EnvelopeDecryptor(KeyEncryptionKeyProvider kek, int maxCachedKeys, long keyTtlMillis, Clock clock) {
        this(kek, maxCachedKeys, keyTtlMillis, 20, EnvelopeContext.none(), clock);
    }

    /**
     * @param unwrapFailuresPerMinute see {@code dek.unwrap.failures.per.minute}
     * @param context                 the context envelopes must be bound to ({@link EnvelopeContext#none()}: any)
     */
    public EnvelopeDecryptor(KeyEncryptionKeyProvider kek, int maxCachedKeys, long keyTtlMillis, int unwrapFailuresPerMinute,
                             EnvelopeContext context, Clock clock) {
        this(Keyring.of(Objects.requireNonNull(kek, "kek")), maxCachedKeys, keyTtlMillis, unwrapFailuresPerMinute, context,
                clock);
    }

    /** A decryptor over a keyring of your own; it closes the ring when closed. */
    public EnvelopeDecryptor(Keyring kek, int maxCachedKeys, long keyTtlMillis, int unwrapFailuresPerMinute,
                             EnvelopeContext context, Clock clock) {
        this(kek, maxCachedKeys, keyTtlMillis, unwrapFailuresPerMinute, context, null, KekCallListener.NONE, clock);
    }

    /**
     * As above, reading payload schemas kept in a schema registry from {@code registry} (null: such envelopes are
     * refused).
     */
    public EnvelopeDecryptor(Keyring kek, int maxCachedKeys, long keyTtlMillis, int unwrapFailuresPerMinute,
                             EnvelopeContext context, RegisteredSchemas registry, KekCallListener listener, Clock clock) {
        this.opener = new EnvelopeOpener(new PayloadCodecCache(256), registry);
        this.context = Objects.requireNonNull(context, "context");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.dataKeys = new UnwrappedKeyCache(Objects.requireNonNull(kek, "kek"), maxCachedKeys, keyTtlMillis,
                unwrapFailuresPerMinute, clock);
    }

    /**
     * Checks, authenticates, decrypts and only then decodes an envelope read from {@code topic} (null when unknown,
     * which a decryptor bound to the topic refuses).
     */
    public PlaintextValue decrypt(String topic, Envelope envelope) {
        EnvelopeOpener.check(envelope);
        if (context.isBound()) {
            EnvelopeOpener.checkContext(envelope, context.of(topic));
        }
        return open(envelope);
    }

    /** As {@link #decrypt(String, Envelope)} for an envelope whose topic is unknown. */
    public PlaintextValue decrypt(Envelope envelope) {
        return decrypt(null, envelope);
    }

    private PlaintextValue open(Envelope envelope) {
        try {
            dataKeys.verifySignature(envelope.signature(), envelope.dataKeyCommitment());
        } catch (KmsAccessException e) {
            throw e.isRecordProblem() ? new DataKeyRejectedException(e) : e;
        }
        AesGcmKey key = unwrap(envelope);
        try {
            EnvelopeOpener.PlaintextAndCodec opened = opener.open(envelope, key);
            if (listener != KekCallListener.NONE) {
                // Counted once authenticated, so a hostile writer cannot fill the bounded labels with made-up keys.
                listener.onRecordForKey(labels.labelOfKeyId(envelope.keyId()));
            }
            return new PlaintextValue(opened.codec().connectSchema(), opened.value());
        } catch (RuntimeException e) {
            throw SanitizedCause.sanitize("Decrypting the envelope", e);
        } finally {
            key.release();
        }
    }

    private AesGcmKey unwrap(Envelope envelope) {
        try {
            return dataKeys.acquire(envelope.wrappedKeys());
        } catch (KmsAccessException e) {
            if (e.isRecordProblem()) {
                throw new DataKeyRejectedException(e);
            }
            throw e;
        }
    }

    /** Unwrap calls made so far: one per distinct data key while it stays cached. */
    public long unwraps() {
        return dataKeys.unwraps();
    }

    /** Records whose data key was refused without a key-service call (see {@code dek.unwrap.failures.per.minute}). */
    public long refusalsWithoutKekCall() {
        return dataKeys.refusalsWithoutCall();
    }

    public long cacheHits() {
        return dataKeys.hits();
    }

    public long cacheEvictions() {
        return dataKeys.evictions();
    }

    /** Times a keyring member could not unwrap and the next one was tried. */
    public long keyringFailovers() {
        return dataKeys.failovers();
    }

    public int cachedKeys() {
        return dataKeys.size();
    }

    /** JSON characters of the payload schemas held by the codec cache (bounded by PayloadCodecCache). */
    public long cachedSchemaChars() {
        return opener.cachedSchemaChars();
    }

    /** Calls made to a remote key service so far. */
    public long kekRemoteCalls() {
        return dataKeys.kekRemoteCalls();
    }

    /** Wipes every cached data key and closes the KEK provider. */
    @Override
    public void close() {
        dataKeys.close();
    }
}
