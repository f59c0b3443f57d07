package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.harness.ConnectCluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Scenario e: what users see through the Connect REST API. */
@ExtendWith(SharedStackExtension.class)
class RestApiIT {
    private final SharedStack shared;
    private final ConnectCluster connect;
    private final String version;

    RestApiIT(SharedStack shared) throws Exception {
        this.shared = shared;
        this.connect = shared.connect;
        String zip = shared.stack.layout().pluginArchive().getFileName().toString();
        this.version = zip.substring("kafka-connect-envelope-encryption-".length(), zip.length() - ".zip".length());
    }

    @Test
    void e_bothTransformsAreListedWithTheProjectVersion() {
        JsonNode plugins = connect.plugins(false);
        Map<String, String> versions = new LinkedHashMap<>();
        for (JsonNode p : plugins) {
            versions.put(p.path("class").asText(), p.path("version").asText());
        }
        assertThat(versions).containsEntry(Pipelines.ENCRYPT, version).containsEntry(Pipelines.DECRYPT, version);
        assertThat(version).isNotBlank().doesNotContain("unknown");
        for (JsonNode p : plugins) {
            if (p.path("class").asText().startsWith("io.envelopecrypt.connect")) {
                assertThat(p.path("type").asText()).isEqualTo("transformation");
            }
        }
    }

    @Test
    void e_theWorkersAndTheBrokerRunTheKafkaVersionTheBuildNames() throws Exception {
        String kafka = System.getProperty("kafka.version");
        assertThat(kafka).as("failsafe passes the build's kafka.version").isNotBlank();
        assertThat(io.envelopecrypt.harness.Http.get(connect.restUrl() + "/").body().path("version").asText()).isEqualTo(kafka);
        // The broker process starts from this classpath (KafkaBroker), so its server jar names the version.
        assertThat(java.nio.file.Files.readString(shared.stack.layout().brokerClasspathFile()))
                .contains("kafka_2.13-" + kafka + ".jar");
    }

    @Test
    void e_badEncryptSettingsGetPerKeyErrors() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("topic", "t");
        config.put("transforms", "enc");
        config.put("transforms.enc.type", Pipelines.ENCRYPT);
        config.put("transforms.enc.kek.provider", "vault-in-the-sky");
        config.put("transforms.enc.local.key", "dG9vIHNob3J0");
        config.put("transforms.enc.dek.max.records", "0");
        config.put("transforms.enc.envelope.event.type", "uuid");
        config.put("transforms.enc.azure.keyvault.url", "http://insecure.example.com");
        config.put("transforms.enc.envelope.schema.name", "not a name");
        Map<String, List<String>> errors = ConnectCluster.validationErrors(connect.validate(Pipelines.GENERATOR, config));
        assertThat(errors).containsKeys("transforms.enc.kek.provider", "transforms.enc.local.key",
                "transforms.enc.dek.max.records", "transforms.enc.envelope.event.type",
                "transforms.enc.azure.keyvault.url", "transforms.enc.envelope.schema.name");
        assertThat(errors.get("transforms.enc.dek.max.records").toString()).contains("at least 1");
        assertThat(errors.get("transforms.enc.envelope.event.type").toString()).contains("not allowed");
        assertThat(errors.toString()).doesNotContain("dG9vIHNob3J0");
    }

    @Test
    void e_badDecryptSettingsGetPerKeyErrors() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("topics", "t");
        config.put("file", "/tmp/x");
        config.put("transforms", "dec");
        config.put("transforms.dec.type", Pipelines.DECRYPT);
        config.put("transforms.dec.on.non.envelope", "shrug");
        config.put("transforms.dec.dek.cache.max.entries", "0");
        Map<String, List<String>> errors = ConnectCluster.validationErrors(connect.validate(Pipelines.RECORDER, config));
        assertThat(errors).containsKeys("transforms.dec.on.non.envelope", "transforms.dec.dek.cache.max.entries",
                "transforms.dec.kek.provider");
    }

    /** Issue 16: a configuration that validates must start; each that cannot is reported once, on the key to fix. */
    @Test
    void e_configurationsThatCannotStartFailValidationOnTheRightKey() {
        assertExactErrors(Pipelines.GENERATOR, "enc", Pipelines.ENCRYPT, Map.of("kek.provider", "local"),
                Map.of("local.key", "Required with kek.provider=local"));
        assertExactErrors(Pipelines.GENERATOR, "enc", Pipelines.ENCRYPT, Map.of("kek.provider", "azure-keyvault"),
                Map.of("azure.keyvault.url", "Required with kek.provider=azure-keyvault",
                        "azure.keyvault.key.name", "Required to encrypt"));
        assertExactErrors(Pipelines.RECORDER, "dec", Pipelines.DECRYPT, Map.of("kek.provider", "azure-keyvault",
                "azure.keyvault.url", "https://v.vault.azure.net"),
                Map.of("azure.keyvault.keys.allowed", "told to trust"));
        assertExactErrors(Pipelines.GENERATOR, "enc", Pipelines.ENCRYPT, Map.of(),
                Map.of("kek.provider", "Missing required configuration"));
        assertExactErrors(Pipelines.GENERATOR, "enc", Pipelines.ENCRYPT, Map.of("kek.provider", "local",
                "local.key", "${env:ENVELOPECRYPT_LOCAL_KEY}", "dek.max.records", "lots"),
                Map.of("dek.max.records", "lots"));
        assertExactErrors(Pipelines.GENERATOR, "enc", Pipelines.ENCRYPT, Map.of("kek.provider", "azure-keyvault",
                "azure.keyvault.url", "${env:ENVELOPECRYPT_NO_SUCH_VARIABLE}", "azure.keyvault.key.name", "k"),
                Map.of("azure.keyvault.url", "unresolved config provider reference"));
        assertExactErrors(Pipelines.GENERATOR, "enc", Pipelines.ENCRYPT, Map.of("kek.provider", "azure-keyvault",
                "azure.keyvault.url", "https://v.vault.azure.net", "kek.key.template", "tenant-{header:tenant}"),
                Map.of("kek.key.allowed.pattern", "Required with kek.key.template"));
    }

    private void assertExactErrors(String connectorClass, String alias, String transform, Map<String, String> settings,
                                   Map<String, String> expected) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(Pipelines.GENERATOR.equals(connectorClass) ? "topic" : "topics", "t");
        if (Pipelines.RECORDER.equals(connectorClass)) {
            config.put("file", "/tmp/unused");
        }
        config.put("transforms", alias);
        config.put("transforms." + alias + ".type", transform);
        settings.forEach((k, v) -> config.put("transforms." + alias + "." + k, v));
        JsonNode result = connect.validate(connectorClass, config);
        Map<String, List<String>> errors = ConnectCluster.validationErrors(result);
        assertThat(errors.keySet()).as(result.toString())
                .containsExactlyInAnyOrderElementsOf(expected.keySet().stream().map(k -> "transforms." + alias + "." + k).toList());
        expected.forEach((key, text) -> assertThat(errors.get("transforms." + alias + "." + key)).as(key)
                .singleElement().asString().contains(text));
        assertThat(result.path("error_count").asInt()).isEqualTo(expected.size());
    }

    @Test
    void e_goodSettingsValidateCleanly() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("topic", "t");
        config.put("transforms", "enc");
        config.put("transforms.enc.type", Pipelines.ENCRYPT);
        config.put("transforms.enc.kek.provider", "local");
        config.put("transforms.enc.local.key", "${env:ENVELOPECRYPT_LOCAL_KEY}");
        JsonNode result = connect.validate(Pipelines.GENERATOR, config);
        assertThat(result.path("error_count").asInt()).as(result.toString()).isZero();
        assertThat(result.toString()).doesNotContain(SharedStack.LOCAL_KEY);
    }

    @Test
    void e_theTransformsConfigDefsAreVisibleThroughValidation() {
        Map<String, String> config = Map.of("topic", "t", "transforms", "enc", "transforms.enc.type", Pipelines.ENCRYPT,
                "transforms.enc.kek.provider", "local", "transforms.enc.local.key", "${env:ENVELOPECRYPT_LOCAL_KEY}");
        JsonNode result = connect.validate(Pipelines.GENERATOR, config);
        List<String> names = new java.util.ArrayList<>();
        result.path("configs").forEach(c -> names.add(c.path("definition").path("name").asText()));
        assertThat(names).contains("transforms.enc.dek.max.records", "transforms.enc.azure.keyvault.url",
                "transforms.enc.azure.client.secret");
        JsonNode secret = null;
        for (JsonNode c : result.path("configs")) {
            if ("transforms.enc.azure.client.secret".equals(c.path("definition").path("name").asText())) {
                secret = c.path("definition");
            }
        }
        assertThat(secret).as("the client secret's definition").isNotNull();
        assertThat(secret.path("type").asText()).as("secrets are passwords, hidden by the worker").isEqualTo("PASSWORD");
    }
}
