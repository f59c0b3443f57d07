package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.DataKeyManager;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSealer;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.MeteredKeyProvider;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;

/**
 * Turns a value (with its Connect schema, or schemaless) into an {@link Envelope}: the one encrypting engine
 * behind every door (the Connect transform, serializers, tools). It encodes the value as Avro binary,
 * encrypts it with AES-256-GCM under the current data key, and carries the data key wrapped by the KEK. Data
 * keys rotate by record count and age, so the KEK is called once per data key, not per record.
 *
 * <p>Thread-safe. Failures are {@link org.apache.kafka.connect.errors.ConnectException}s whose messages never
 * contain plaintext or key material: a {@code DataException} for a value that cannot be encrypted,
 * {@code KmsUnavailableException} (retriable) or {@code KmsAccessException} for the KEK.
 */
public final class EnvelopeEncryptor implements AutoCloseable {
    private final DataKeyManager dataKeys;
    private final EnvelopeContext context;
    private final PayloadCodecCache codecs = new PayloadCodecCache(256);
    private final EnvelopeSealer sealer = new EnvelopeSealer();

    /** An encryptor from settings; {@code listener} hears every KEK call (metrics). */
    public static EnvelopeEncryptor create(EncryptorConfig config, KekCallListener listener, Clock clock) {
        KeyEncryptionKeyProvider kek = new MeteredKeyProvider(config.kekProvider(), listener);
        return new EnvelopeEncryptor(kek, config.dekMaxRecords(), config.dekMaxAgeMs(), config.context(), clock,
                new SecureRandom());
    }

    /** An encryptor over a provider of your own, binding to no context; it closes the provider when closed. */
    public EnvelopeEncryptor(KeyEncryptionKeyProvider kek, long dekMaxRecords, long dekMaxAgeMs, Clock clock,
                             SecureRandom random) {
        this(kek, dekMaxRecords, dekMaxAgeMs, EnvelopeContext.none(), clock, random);
    }

    /** An encryptor over a provider of your own; it closes the provider when closed. */
    public EnvelopeEncryptor(KeyEncryptionKeyProvider kek, long dekMaxRecords, long dekMaxAgeMs, EnvelopeContext context,
                             Clock clock, SecureRandom random) {
        this.context = Objects.requireNonNull(context, "context");
        this.dataKeys = new DataKeyManager(Objects.requireNonNull(kek, "kek"), dekMaxRecords, dekMaxAgeMs, clock, random);
    }

    /**
     * Encrypts a value bound for {@code topic}, binding it to the configured context ({@code topic} may be null
     * unless the context is the topic).
     */
    public Envelope encrypt(String topic, Schema schema, Object value, EnvelopeHeader header) {
        String bound = context.of(topic);
        return encrypt(schema, value, bound == null ? header
                : new EnvelopeHeader(header.id(), header.timestamp(), header.eventType(), header.metadata(), bound));
    }

    /**
     * Encrypts {@code value} with {@code header} as given (its context included); {@code schema} is its Connect
     * schema, or null for a schemaless value (a Struct then brings its own).
     */
    public Envelope encrypt(Schema schema, Object value, EnvelopeHeader header) {
        PayloadCodec codec;
        if (schema != null) {
            codec = codecs.forSchema(schema);
        } else if (value instanceof Struct struct) {
            codec = codecs.forSchema(struct.schema());
        } else {
            codec = PayloadCodec.SCHEMALESS;
        }
        DataKeyManager.DataKey key = dataKeys.acquire();
        try {
            return sealer.seal(codec, value, header, key.key(), key.wrapped(), key.signature());
        } catch (RuntimeException e) {
            throw SanitizedCause.sanitize("Encrypting the record value", e);
        } finally {
            key.release();
        }
    }

    /** Data keys created so far (one KEK wrap each). */
    public long dataKeysCreated() {
        return dataKeys.keysCreated();
    }

    /** Calls made to a remote key service so far. */
    public long kekRemoteCalls() {
        return dataKeys.kekRemoteCalls();
    }

    /** Wipes the current data key and closes the KEK provider. */
    @Override
    public void close() {
        dataKeys.close();
    }
}
