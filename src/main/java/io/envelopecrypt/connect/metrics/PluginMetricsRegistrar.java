package io.envelopecrypt.connect.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes a transform's counters as Kafka Connect plugin metrics (KIP-877, Kafka 4.1+). The worker adds
 * the connector, task and transformation tags and removes the metrics when the task stops; they appear
 * over JMX as {@code kafka.connect:type=plugins,connector=...,task=...,transformation=...}.
 *
 * <p>Only the Monitorable transform classes load this class, so older workers never need PluginMetrics.
 */
public final class PluginMetricsRegistrar {
    private PluginMetricsRegistrar() {
    }

    /**
     * @param prefix {@code encrypt} or {@code decrypt}: names become e.g. {@code records-encrypted-total}
     */
    public static void register(PluginMetrics metrics, TransformCounters c, String verb) {
        gauge(metrics, "records-" + verb + "-total", "Records " + verb + ".", c::records);
        gauge(metrics, "records-passed-through-total", "Records passed through unchanged (tombstones, and "
                + "non-envelopes when allowed).", c::passedThrough);
        gauge(metrics, "plaintext-bytes-total", "Bytes of encoded plaintext " + verb + ".", c::plaintextBytes);
        gauge(metrics, "ciphertext-bytes-total", "Bytes of ciphertext (with GCM tags) " + verb + ".", c::ciphertextBytes);
        for (TransformCounters.Failure f : TransformCounters.Failure.values()) {
            gauge(metrics, "failures-total", "Records that failed, by kind.", tags("kind", f.tag), () -> c.failures(f));
        }
        for (String op : new String[] {"wrap", "unwrap", "sign"}) {
            TransformCounters.CallStats s = c.kekCalls(op);
            Map<String, String> t = tags("operation", op);
            gauge(metrics, "kek-calls-total", "Calls to the key-encryption-key provider.", t, s::calls);
            gauge(metrics, "kek-call-failures-total", "Failed calls to the key-encryption-key provider.", t, s::failures);
            gaugeDouble(metrics, "kek-call-latency-avg-ms", "Average latency of key-encryption-key calls.", t, s::averageMillis);
            gaugeDouble(metrics, "kek-call-latency-max-ms", "Longest key-encryption-key call.", t, s::maxMillis);
        }
        c.gauges().forEach((name, supplier) -> gauge(metrics, name, name.replace('-', ' ') + ".", supplier::getAsLong));
        c.onNewKey((keyName, count) -> gauge(metrics, "records-" + verb + "-by-key-total", "Records " + verb
                + " per key-encryption key (the name a record selected when encrypting; the key id without its version "
                + "when decrypting; at most 100 names, then '(other)').",
                tags("kek", keyName), count::getAsLong));
    }

    private static Map<String, String> tags(String key, String value) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(key, value);
        return t;
    }

    private static void gauge(PluginMetrics m, String name, String doc, Supplier<Long> value) {
        gauge(m, name, doc, new LinkedHashMap<>(), value);
    }

    private static void gauge(PluginMetrics m, String name, String doc, Map<String, String> tags, Supplier<Long> value) {
        MetricName metricName = m.metricName(name, doc, new LinkedHashMap<>(tags));
        m.addMetric(metricName, (Gauge<Long>) (config, now) -> value.get());
    }

    private static void gaugeDouble(PluginMetrics m, String name, String doc, Map<String, String> tags, Supplier<Double> value) {
        MetricName metricName = m.metricName(name, doc, new LinkedHashMap<>(tags));
        m.addMetric(metricName, (Gauge<Double>) (config, now) -> value.get());
    }
}
