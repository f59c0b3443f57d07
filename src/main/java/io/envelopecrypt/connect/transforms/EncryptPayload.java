package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.metrics.PluginMetricsRegistrar;

import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.connector.ConnectRecord;

import java.time.Clock;

/**
 * Encrypts the record value into an envelope (see {@link AbstractEncryptPayload}), and publishes plugin
 * metrics (KIP-877): records, bytes, failures by kind, key-service calls and latency, data keys created.
 *
 * <p>Requires Kafka Connect 4.1 or later; on older workers use
 * {@link io.envelopecrypt.connect.transforms.compat.EncryptPayload}.
 */
public class EncryptPayload<R extends ConnectRecord<R>> extends AbstractEncryptPayload<R> implements Monitorable {

    public EncryptPayload() {
        super(Clock.systemUTC());
    }

    /** For tests: a clock to drive data-key rotation by age. */
    EncryptPayload(Clock clock) {
        super(clock);
    }

    @Override
    public void withPluginMetrics(PluginMetrics metrics) {
        PluginMetricsRegistrar.register(metrics, counters(), "encrypted");
    }
}
