package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.ConnectWorker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import static org.assertj.core.api.Assertions.assertThat;

/** The transforms' KIP-877 plugin metrics, read over JMX from the real Kafka Connect 4.4 workers. */
@ExtendWith(SharedStackExtension.class)
class PluginMetricsIT {
    private final SharedStack shared;
    private final ConnectCluster connect;

    PluginMetricsIT(SharedStack shared) {
        this.shared = shared;
        this.connect = shared.connect;
    }

    @Test
    void metricsAreVisibleOverJmxWithConnectorTaskAndTransformationTags() throws Exception {
        String topic = "metrics-payments";
        int records = 600;
        Path out = shared.stack.workDir().resolve("metrics.jsonl");
        Map<String, String> source = Pipelines.encryptingSource(topic, records, 5, shared.stack.registry(),
                shared.azure("transforms.encrypt.", true));
        source.put("transforms.encrypt.dek.max.records", "100");
        connect.createConnector("metrics-source", source);
        connect.createConnector("metrics-sink", Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                shared.azure("transforms.decrypt.", false)));
        Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect, "metrics-source", "metrics-sink");

        Map<String, Object> encrypt = metrics("metrics-source", "encrypt");
        assertThat(encrypt).containsEntry("records-encrypted-total", (long) records)
                .containsEntry("data-keys-created-total", 6L)
                .containsKeys("plaintext-bytes-total", "ciphertext-bytes-total", "kek-remote-calls-total");
        assertThat((Long) encrypt.get("kek-remote-calls-total")).isBetween(6L, 12L);
        Map<String, Object> decrypt = metrics("metrics-sink", "decrypt");
        assertThat(decrypt).containsEntry("records-decrypted-total", (long) records)
                .containsEntry("data-key-cache-misses-total", 6L)
                .containsEntry("data-key-cache-hits-total", (long) records - 6);
        connect.deleteConnector("metrics-source");
        connect.deleteConnector("metrics-sink");
    }

    /** Every attribute of the connector's transformation MBeans, across the cluster's workers. */
    private Map<String, Object> metrics(String connector, String alias) throws Exception {
        Map<String, Object> found = new HashMap<>();
        for (ConnectWorker worker : connect.workers()) {
            try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(worker.jmxUrl()))) {
                MBeanServerConnection server = jmx.getMBeanServerConnection();
                Set<ObjectName> names = server.queryNames(new ObjectName("kafka.connect:type=plugins,connector="
                        + connector + ",task=0,transformation=" + alias + ",*"), null);
                for (ObjectName name : names) {
                    for (var attribute : server.getMBeanInfo(name).getAttributes()) {
                        Object v = server.getAttribute(name, attribute.getName());
                        found.put(attribute.getName(), v instanceof Double d && d == Math.rint(d) ? (long) (double) d : v);
                    }
                }
            }
        }
        assertThat(found).as("plugin metrics of %s/%s over JMX", connector, alias).isNotEmpty();
        return found;
    }
}
