package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.PluginVersion;
import io.envelopecrypt.connect.crypto.AesGcm;
import io.envelopecrypt.connect.crypto.UnwrappedKeyCache;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.kms.KekConfig;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.MeteredKeyProvider;
import io.envelopecrypt.connect.metrics.TransformCounters;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.time.Clock;
import java.util.Map;

/**
 * The decrypting transform; use {@link DecryptPayload} (Kafka Connect 4.1+, with plugin metrics) or
 * {@link io.envelopecrypt.connect.transforms.compat.DecryptPayload} (older workers).
 *
 * <p>Restores the original value and schema from an envelope written by {@link EncryptPayload}. The
 * envelope may arrive as a Struct (Avro or JSON converter with schemas) or a Map (schemaless JSON).
 * The output schema is rebuilt from the envelope itself: no schema needs to be configured.
 *
 * <p>Tampered envelopes, wrong keys and unknown versions fail with a {@link DataException} that says
 * what failed, never what the record contains.
 */
public abstract class AbstractDecryptPayload<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    public static final String OVERVIEW_DOC = "Decrypts an envelope written by EncryptPayload back into the "
            + "original record value and schema.";

    public static final ConfigDef CONFIG_DEF = DecryptPayloadConfig.CONFIG_DEF;

    private final Clock clock;
    private final TransformCounters counters = new TransformCounters();
    private KeyEncryptionKeyProvider kek;
    private UnwrappedKeyCache dataKeys;
    private EnvelopeOpener opener;
    private boolean passThroughNonEnvelopes;

    protected AbstractDecryptPayload(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        passThroughNonEnvelopes = DecryptPayloadConfig.PASS_THROUGH.equalsIgnoreCase(
                config.getString(DecryptPayloadConfig.ON_NON_ENVELOPE));
        opener = new EnvelopeOpener(new AesGcm(), new PayloadCodecCache(256));
        KeyEncryptionKeyProvider provider = KekConfig.createProvider(config, KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
        kek = new MeteredKeyProvider(provider, counters);
        UnwrappedKeyCache cache = new UnwrappedKeyCache(kek, config.getInt(DecryptPayloadConfig.DEK_CACHE_MAX_ENTRIES),
                config.getLong(DecryptPayloadConfig.DEK_CACHE_TTL_MS), clock);
        dataKeys = cache;
        counters.gauge("data-key-cache-hits-total", cache::hits);
        counters.gauge("data-key-cache-misses-total", cache::unwraps);
        counters.gauge("data-key-cache-evictions-total", cache::evictions);
        counters.gauge("data-key-cache-size", cache::size);
        counters.gauge("kek-remote-calls-total", provider::remoteCalls);
    }

    @Override
    public R apply(R record) {
        Object value = record.value();
        if (value == null) {
            counters.recordPassedThrough();
            return record;
        }
        if (!EnvelopeCodec.looksLikeEnvelope(value) && passThroughNonEnvelopes) {
            counters.recordPassedThrough();
            return record;
        }
        try {
            Envelope envelope = read(value);
            PayloadCodec codec = opener.check(envelope);
            Object restored = open(envelope, codec);
            int ciphertext = envelope.encryptedPayload().length;
            counters.recordProcessed(ciphertext - AesGcm.TAG_BYTES, ciphertext);
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    codec.connectSchema(), restored, record.timestamp(), record.headers());
        } catch (RuntimeException e) {
            counters.recordFailure(Failures.kind(e));
            throw e;
        }
    }

    private static Envelope read(Object value) {
        if (!EnvelopeCodec.looksLikeEnvelope(value)) {
            throw new DataException("The record value is not an envelope (it is a " + value.getClass().getName()
                    + " without envelopeVersion and encryptedPayload fields); set on.non.envelope=pass-through "
                    + "to let such records through");
        }
        return EnvelopeCodec.read(value);
    }

    private Object open(Envelope envelope, PayloadCodec codec) {
        try {
            return opener.open(envelope, codec, dataKeys);
        } catch (KmsAccessException e) {
            // A key this record names but that cannot be used (unknown, outside the configured vault, bad wrap)
            // is the record's problem: a DataException lets errors.tolerance and the dead-letter queue handle it.
            if (e.isRecordProblem()) {
                throw new DataException(e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void close() {
        if (dataKeys != null) {
            dataKeys.close();
            dataKeys = null;
        }
        if (kek != null) {
            kek.close();
            kek = null;
        }
    }

    /** Unwrap calls made so far, for tests and metrics. */
    long unwraps() {
        return dataKeys.unwraps();
    }

    /** This instance's counters (published as plugin metrics on Kafka 4.1+). */
    public TransformCounters counters() {
        return counters;
    }
}
