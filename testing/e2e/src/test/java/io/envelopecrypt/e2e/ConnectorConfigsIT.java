package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.Http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario g: every file in connector-configs/ validates cleanly through the REST API of a real cluster.
 * Environment-specific values come from the workers' environment ({@code ${env:...}}), as the files expect.
 * Two substitutions, and only these: the secrets file path (a temporary file here) and Confluent's
 * AvroConverter, whose jars cannot be downloaded in this build, for Apicurio's.
 */
@ExtendWith(SharedStackExtension.class)
class ConnectorConfigsIT {
    private final SharedStack shared;

    ConnectorConfigsIT(SharedStack shared) {
        this.shared = shared;
    }

    @Test
    void g_everyConnectorConfigFileValidatesOnTheCluster() throws Exception {
        Path secrets = shared.stack.workDir().resolve("secrets/connector-configs.properties");
        Files.writeString(secrets, "client.secret=" + SharedStack.DECRYPTOR_SECRET + "\n");
        Map<String, String> replacements = new LinkedHashMap<>();
        replacements.put("/etc/kafka-connect/secrets/azure.properties", secrets.toString());
        replacements.put("io.confluent.connect.avro.AvroConverter", "io.apicurio.registry.utils.converter.AvroConverter");
        List<Path> files;
        try (Stream<Path> s = Files.list(shared.stack.layout().connectorConfigs())) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (Path file : files) {
            JsonNode node = Http.JSON.readTree(ConnectCluster.substitute(Files.readString(file), replacements));
            assertThat(node.has("name")).as(file + " has a name").isTrue();
            Map<String, String> config = new LinkedHashMap<>();
            config.put("name", node.get("name").asText());
            node.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            JsonNode result = shared.connect.validate(config.get("connector.class"), config);
            assertThat(ConnectCluster.validationErrors(result)).as(file.getFileName().toString()).isEmpty();
            assertThat(result.path("error_count").asInt()).as(file.getFileName().toString()).isZero();
            assertThat(result.toString()).as("no secret in the response for " + file.getFileName())
                    .doesNotContain(SharedStack.DECRYPTOR_SECRET).doesNotContain(SharedStack.LOCAL_KEY);
        }
    }
}
