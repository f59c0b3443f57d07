package io.envelopecrypt.connect.metrics;

import io.envelopecrypt.connect.testing.TestKeys;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transforms' plugin metrics, through Kafka's own PluginMetrics implementation (what a 4.1 worker uses). */
class PluginMetricsTest {

    private static Object value(Metrics metrics, String name, Map<String, String> extraTags) {
        for (Map.Entry<MetricName, KafkaMetric> e : metrics.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.name().equals(name) && n.tags().entrySet().containsAll(extraTags.entrySet())) {
                return e.getValue().metricValue();
            }
        }
        throw new AssertionError("no metric " + name + " " + extraTags + " in " + metrics.metrics().keySet());
    }

    @Test
    void encryptAndDecryptPublishWhatTheyDo() throws Exception {
        try (Metrics metrics = new Metrics()) {
            Map<String, String> workerTags = new LinkedHashMap<>();
            workerTags.put("connector", "payments");
            workerTags.put("task", "0");
            EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
            DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
            assertThat(encrypt).isInstanceOf(Monitorable.class);
            encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "10"));
            decrypt.configure(TestKeys.localConfig());
            Map<String, String> encTags = new LinkedHashMap<>(workerTags);
            encTags.put("transformation", "encrypt");
            Map<String, String> decTags = new LinkedHashMap<>(workerTags);
            decTags.put("transformation", "decrypt");
            encrypt.withPluginMetrics(new PluginMetricsImpl(metrics, encTags));
            decrypt.withPluginMetrics(new PluginMetricsImpl(metrics, decTags));

            for (int i = 0; i < 25; i++) {
                SourceRecord r = new SourceRecord(Map.of(), Map.of(), "t", 0, Schema.STRING_SCHEMA, "value " + i);
                decrypt.apply(encrypt.apply(r));
            }
            encrypt.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, null, null));
            assertThatThrownBy(() -> decrypt.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, Schema.STRING_SCHEMA, "plain")))
                    .isInstanceOf(DataException.class);

            Map<String, String> enc = Map.of("transformation", "encrypt");
            Map<String, String> dec = Map.of("transformation", "decrypt");
            assertThat(value(metrics, "records-encrypted-total", enc)).isEqualTo(25L);
            assertThat(value(metrics, "records-passed-through-total", enc)).isEqualTo(1L);
            assertThat((Long) value(metrics, "plaintext-bytes-total", enc)).isGreaterThan(25L * 7);
            assertThat(value(metrics, "data-keys-created-total", enc)).isEqualTo(3L);
            assertThat(value(metrics, "kek-calls-total", Map.of("transformation", "encrypt", "operation", "wrap"))).isEqualTo(3L);
            assertThat((Double) value(metrics, "kek-call-latency-max-ms", Map.of("transformation", "encrypt", "operation", "wrap")))
                    .isPositive();
            assertThat(value(metrics, "records-decrypted-total", dec)).isEqualTo(25L);
            assertThat(value(metrics, "data-key-cache-misses-total", dec)).isEqualTo(3L);
            assertThat(value(metrics, "data-key-cache-hits-total", dec)).isEqualTo(22L);
            assertThat(value(metrics, "data-key-cache-size", dec)).isEqualTo(3L);
            assertThat(value(metrics, "failures-total", Map.of("transformation", "decrypt", "kind", "invalid-input"))).isEqualTo(1L);
            assertThat(value(metrics, "failures-total", Map.of("transformation", "decrypt", "kind", "authentication"))).isEqualTo(0L);
            assertThat(metrics.metrics().keySet()).allSatisfy(n -> {
                if (!n.group().equals("kafka-metrics-count")) {
                    assertThat(n.tags()).containsKeys("connector", "task", "transformation");
                }
            });
            encrypt.close();
            decrypt.close();
        }
    }

    @Test
    void tamperedEnvelopesCountAsAuthenticationFailures() {
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
        DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
        encrypt.configure(TestKeys.localConfig());
        decrypt.configure(TestKeys.localConfig());
        SourceRecord encrypted = encrypt.apply(new SourceRecord(Map.of(), Map.of(), "t", 0, Schema.STRING_SCHEMA, "v"));
        org.apache.kafka.connect.data.Struct env = (org.apache.kafka.connect.data.Struct) encrypted.value();
        env.getBytes("encryptedPayload")[0] ^= 1;
        assertThatThrownBy(() -> decrypt.apply(encrypted)).isInstanceOf(DataException.class);
        assertThat(decrypt.counters().failures(TransformCounters.Failure.AUTHENTICATION)).isEqualTo(1);
        encrypt.close();
        decrypt.close();
    }
}
