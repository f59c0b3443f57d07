package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.PluginVersion;
import io.envelopecrypt.connect.metrics.TransformCounters;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * What the encrypting and decrypting transforms share: tombstones pass through untouched, failures are counted
 * by kind, and the configuration definition, version, counters, and closing the engine they own (which wipes its
 * data keys and closes the KEK provider).
 */
public abstract class EnvelopeTransform<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {
    private final ConfigDef configDef;
    private final TransformCounters counters = new TransformCounters();
    private AutoCloseable engine;

    protected EnvelopeTransform(ConfigDef configDef) {
        this.configDef = configDef;
    }

    @Override
    public final R apply(R record) {
        if (record.value() == null) {
            counters.recordPassedThrough();
            return record;
        }
        try {
            return applyToValue(record);
        } catch (RuntimeException e) {
            counters.recordFailure(Failures.kind(e));
            throw e;
        }
    }

    /** Transforms a record whose value is not null; never mutates {@code record}. */
    protected abstract R applyToValue(R record);

    /** Hands over the engine built in {@code configure()}; {@link #close()} closes it. */
    protected final void own(AutoCloseable engine) {
        this.engine = engine;
    }

    @Override
    public ConfigDef config() {
        return configDef;
    }

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void close() {
        AutoCloseable owned = engine;
        engine = null;
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new ConnectException("Closing the transform failed (" + e.getClass().getSimpleName() + ")", e);
            }
        }
    }

    /** This instance's counters (published as plugin metrics on Kafka 4.1+). */
    public TransformCounters counters() {
        return counters;
    }
}
