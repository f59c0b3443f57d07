package io.envelopecrypt.e2e;

import io.envelopecrypt.connect.transforms.EncryptPayload;
import io.envelopecrypt.harness.RepoLayout;

import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Strimzi resources of docs/platforms.md: they are what the page says (a KafkaConnect that builds the plugin from
 * its zip with a checksum, with Azure workload identity on its pods, and a KafkaConnector on it), and the
 * connector's transform settings are valid for EncryptPayload, so a user who copies them gets no validation error
 * from the plugin (the values that come from the cluster, ${env:...}, stand in as the webhook would set them).
 */
class PlatformDocsTest {
    private static final Path DIR = RepoLayout.find().root().resolve("docs/platforms/strimzi");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String file) throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(DIR.resolve(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String... path) {
        Map<String, Object> m = parent;
        for (String key : path) {
            m = (Map<String, Object>) m.get(key);
            assertThat(m).as(String.join(".", path)).isNotNull();
        }
        return m;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKafkaConnectResourceBuildsThePluginFromItsArchiveWithWorkloadIdentity() throws IOException {
        Map<String, Object> connect = yaml("kafka-connect.yaml");
        assertThat(connect).containsEntry("apiVersion", "kafka.strimzi.io/v1beta2").containsEntry("kind", "KafkaConnect");
        assertThat(map(connect, "metadata", "annotations")).containsEntry("strimzi.io/use-connector-resources", "true");
        Map<String, Object> spec = map(connect, "spec");
        assertThat(map(spec, "config")).containsEntry("config.providers", "env")
                .containsEntry("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        List<Map<String, Object>> plugins = (List<Map<String, Object>>) map(spec, "build").get("plugins");
        Map<String, Object> artifact = ((List<Map<String, Object>>) plugins.get(0).get("artifacts")).get(0);
        assertThat(artifact).containsEntry("type", "zip").containsKey("sha512sum");
        assertThat((String) artifact.get("url")).startsWith("https://").endsWith(".zip")
                .contains("kafka-connect-envelope-encryption-");
        assertThat(map(spec, "template", "pod", "metadata", "labels")).containsEntry("azure.workload.identity/use", "true");
        assertThat(map(spec, "template", "serviceAccount", "metadata", "annotations"))
                .containsKey("azure.workload.identity/client-id");
    }

    @Test
    void theConnectorsTransformSettingsAreValidForEncryptPayload() throws IOException {
        Map<String, Object> connector = yaml("kafka-connector.yaml");
        assertThat(connector).containsEntry("kind", "KafkaConnector");
        assertThat(map(connector, "metadata", "labels")).containsEntry("strimzi.io/cluster",
                map(yaml("kafka-connect.yaml"), "metadata").get("name"));
        Map<String, Object> config = map(connector, "spec", "config");
        String prefix = "transforms.encrypt.";
        assertThat(config.get(prefix + "type")).isEqualTo(EncryptPayload.class.getName());
        Map<String, String> transform = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals(prefix + "type")) {
                // What the workload identity webhook puts in the pods' environment.
                transform.put(k.substring(prefix.length()), String.valueOf(v).replace("${env:AZURE_CLIENT_ID}",
                        "00000000-0000-0000-0000-000000000000").replace("${env:AZURE_TENANT_ID}", "11111111-1111-1111-1111-111111111111"));
            }
        });
        assertThat(transform).containsEntry("azure.credential.type", "workload-identity");
        try (EncryptPayload<org.apache.kafka.connect.source.SourceRecord> encrypt = new EncryptPayload<>()) {
            for (ConfigValue v : encrypt.config().validate(transform)) {
                assertThat(v.errorMessages()).as(v.name()).isEmpty();
            }
        }
    }
}
