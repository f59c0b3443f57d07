package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.Http;
import io.envelopecrypt.harness.RepoLayout;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker cannot run on the build machines, so this checks docker-compose.yml statically against the build
 * output and the connector configurations: services and their dependencies, published ports, the mounted
 * plugin directory, and every environment variable the submitted connector files read.
 */
class DockerComposeTest {
    private static RepoLayout layout;
    private static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        layout = RepoLayout.find();
        Map<String, Object> compose = new Yaml().load(Files.readString(layout.root().resolve("docker-compose.yml")));
        services = (Map<String, Object>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return (Map<String, Object>) services.get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String name) {
        Map<String, Object> env = (Map<String, Object>) service(name).get("environment");
        Map<String, String> out = new java.util.LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(String service, String key) {
        Object v = service(service).get(key);
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>((Set<String>) m.keySet());
        }
        return v == null ? List.of() : (List<String>) v;
    }

    @Test
    void theStackHasEveryPart() {
        assertThat(services).containsKeys("kafka", "schema-registry", "connect", "keyvault-emulator", "entra-emulator", "setup");
        assertThat(String.valueOf(service("kafka").get("image"))).startsWith("apache/kafka:");
        assertThat(environment("kafka").get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(String.valueOf(service("schema-registry").get("image"))).startsWith("confluentinc/cp-schema-registry:");
        // Confluent Platform 8.1 is Kafka 4.1: plugin metrics and version pinning are available.
        assertThat(String.valueOf(service("connect").get("image"))).isEqualTo("confluentinc/cp-kafka-connect:8.1.0");
        assertThat(String.valueOf(service("entra-emulator").get("command")))
                .contains("github.com/calvinchengx/entra-emulator/cmd/entra-emulator@v0.9.0");
        assertThat(String.valueOf(service("keyvault-emulator").get("command")))
                .contains("github.com/calvinchengx/azure-keyvault-emulator/cmd/azure-keyvault-emulator@v0.7.0")
                .contains("--entra-issuer https://localhost:8443/" + environment("entra-emulator").get("TENANT_ID") + "/v2.0");
    }

    @Test
    void dependenciesStartThingsInOrder() {
        assertThat(list("schema-registry", "depends_on")).contains("kafka");
        assertThat(list("connect", "depends_on")).contains("kafka", "schema-registry", "keyvault-emulator");
        assertThat(list("keyvault-emulator", "depends_on")).contains("entra-emulator");
        assertThat(list("setup", "depends_on")).contains("connect");
        for (String s : List.of("connect", "keyvault-emulator", "setup")) {
            assertThat(service(s).get("network_mode")).as(s).isEqualTo("service:entra-emulator");
        }
    }

    @Test
    void publishedPortsAreUniqueAndMatchTheServices() {
        Set<String> published = new HashSet<>();
        for (String name : services.keySet()) {
            for (String port : list(name, "ports")) {
                assertThat(published.add(port.split(":")[0])).as("host port " + port + " published twice").isTrue();
            }
        }
        assertThat(published).contains("9092", "8081", "8083", "8443", "8444");
        assertThat(environment("connect").get("CONNECT_REST_PORT")).isEqualTo("8083");
        assertThat(environment("connect").get("AZURE_KEYVAULT_URL")).isEqualTo("https://localhost:8444");
        assertThat(String.valueOf(service("keyvault-emulator").get("command"))).contains("--addr 0.0.0.0:8444");
        assertThat(environment("entra-emulator").get("PORT")).isEqualTo("8443");
    }

    @Test
    void connectMountsTheBuiltPluginOnItsPluginPath() {
        List<String> volumes = list("connect", "volumes");
        List<String> pluginPath = List.of(environment("connect").get("CONNECT_PLUGIN_PATH").split(","));
        String plugin = volumes.stream().filter(v -> v.startsWith("./target/")).findFirst().orElseThrow();
        String[] parts = plugin.split(":");
        Path source = layout.root().resolve(parts[0]);
        assertThat(source).as("the build's plugin directory").isDirectory();
        try (var dirs = Files.list(source)) {
            Path component = dirs.findFirst().orElseThrow();
            assertThat(component.resolve("manifest.json")).exists();
            assertThat(component.resolve("lib")).isDirectory();
            assertThat(component.getFileName().toString()).startsWith("envelopecrypt-kafka-connect-envelope-encryption-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(pluginPath).contains(parts[1]);
        String demo = volumes.stream().filter(v -> v.startsWith("./testing/connectors/")).findFirst().orElseThrow();
        assertThat(layout.root().resolve(demo.split(":")[0])).isRegularFile();
        String demoTarget = demo.split(":")[1];
        assertThat(pluginPath).contains(demoTarget.substring(0, demoTarget.lastIndexOf('/')));
        assertThat(environment("connect").get("CONNECT_CONFIG_PROVIDERS")).isEqualTo("env,file");
    }

    @Test
    void everyVariableTheSubmittedConnectorsReadIsSet() throws IOException {
        String[] submitted = environment("setup").get("CONNECTORS").split(" ");
        assertThat(submitted).isNotEmpty();
        Map<String, String> connectEnv = environment("connect");
        Pattern env = Pattern.compile("\\$\\{env:([A-Z0-9_]+)}");
        for (String file : submitted) {
            Path json = layout.connectorConfigs().resolve(file);
            assertThat(json).as("setup submits " + file).exists();
            JsonNode config = Http.JSON.readTree(json.toFile()).get("config");
            Matcher m = env.matcher(config.toString());
            while (m.find()) {
                assertThat(connectEnv).as(file + " reads ${env:" + m.group(1) + "}").containsKey(m.group(1));
            }
            String connectorClass = config.get("connector.class").asText();
            assertThat(connectorClass).startsWith("io.envelopecrypt.testconnectors.");
        }
        assertThat(list("setup", "volumes")).anyMatch(v -> v.startsWith("./connector-configs:"))
                .anyMatch(v -> v.startsWith("./docker/setup.sh:"));
        assertThat(layout.root().resolve("docker/setup.sh")).exists();
        assertThat(connectEnv.get("IDENTITY_ENDPOINT")).isEqualTo("https://localhost:8443/msi/token");
        assertThat(connectEnv.get("IDENTITY_HEADER")).isEqualTo(environment("entra-emulator").get("MANAGED_IDENTITY_SECRET"));
    }
}
