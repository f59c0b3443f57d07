package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.metrics.PluginMetricsRegistrar;

import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.connector.ConnectRecord;

import java.time.Clock;

/**
 * Decrypts envelopes back into the original value and schema (see {@link AbstractDecryptPayload}), and
 * publishes plugin metrics (KIP-877): records, bytes, failures by kind, key-service calls and latency,
 * data-key cache hits, misses and evictions.
 *
 * <p>Requires Kafka Connect 4.1 or later; on older workers use
 * {@link io.envelopecrypt.connect.transforms.compat.DecryptPayload}.
 */
public class DecryptPayload<R extends ConnectRecord<R>> extends AbstractDecryptPayload<R> implements Monitorable {

    public DecryptPayload() {
        super(Clock.systemUTC());
    }

    DecryptPayload(Clock clock) {
        super(clock);
    }

    @Override
    public void withPluginMetrics(PluginMetrics metrics) {
        PluginMetricsRegistrar.register(metrics, counters(), "decrypted");
    }
}
