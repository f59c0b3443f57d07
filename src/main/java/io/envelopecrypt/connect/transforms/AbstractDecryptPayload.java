package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.PluginVersion;
import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.engine.PlaintextValue;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.metrics.TransformCounters;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;

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
    private EnvelopeDecryptor engine;
    private boolean passThroughNonEnvelopes;

    protected AbstractDecryptPayload(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> props) {
        DecryptPayloadConfig config = new DecryptPayloadConfig(props);
        passThroughNonEnvelopes = config.passThroughNonEnvelopes();
        EnvelopeDecryptor decryptor = EnvelopeDecryptor.create(config, counters, clock);
        engine = decryptor;
        counters.gauge("data-key-cache-hits-total", decryptor::cacheHits);
        counters.gauge("data-key-cache-misses-total", decryptor::unwraps);
        counters.gauge("data-key-cache-evictions-total", decryptor::cacheEvictions);
        counters.gauge("data-key-cache-size", decryptor::cachedKeys);
        counters.gauge("kek-remote-calls-total", decryptor::kekRemoteCalls);
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
            PlaintextValue restored = engine.decrypt(envelope);
            counters.recordProcessed(envelope.plaintextLength(), envelope.encryptedPayload().length);
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    restored.schema(), restored.value(), record.timestamp(), record.headers());
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
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    /** Unwrap calls made so far, for tests and metrics. */
    long unwraps() {
        return engine.unwraps();
    }

    /** This instance's counters (published as plugin metrics on Kafka 4.1+). */
    public TransformCounters counters() {
        return counters;
    }
}
