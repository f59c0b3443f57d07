package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Connect's config validation (ConfigDef.validate on the transform's definition, as the herder calls it) reports:
 * every configuration that cannot start, on the key to change, once. RestApiIT checks the same on a live worker.
 */
class ConfigValidationTest {
    private static final ConfigDef ENCRYPT = new EncryptPayload<SourceRecord>().config();
    private static final ConfigDef DECRYPT = new DecryptPayload<SourceRecord>().config();

    /** Errors by key, only for keys that have some. */
    static Map<String, List<String>> errors(ConfigDef def, Map<String, String> props) {
        Map<String, List<String>> out = new TreeMap<>();
        for (ConfigValue v : def.validate(props)) {
            if (!v.errorMessages().isEmpty()) {
                out.put(v.name(), v.errorMessages());
            }
        }
        return out;
    }

    private static Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void validConfigurationsHaveNoErrors() {
        assertThat(errors(ENCRYPT, props("kek.provider", "local", "local.key", TestKeys.LOCAL_KEY))).isEmpty();
        assertThat(errors(DECRYPT, props("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net",
                "azure.keyvault.keys.allowed", "tenant-*"))).isEmpty();
        assertThat(errors(ENCRYPT, props("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net",
                "kek.key.template", "tenant-{field:tenantId}", "kek.key.allowed.pattern", "tenant-[0-9]+"))).isEmpty();
    }

    @Test
    void aMissingProviderIsOneError() {
        assertThat(errors(ENCRYPT, props())).containsOnlyKeys("kek.provider")
                .hasEntrySatisfying("kek.provider", e -> assertThat(e).singleElement().asString().contains("Missing required"));
    }

    @Test
    void anUnparsableNumberIsOneError() {
        assertThat(errors(ENCRYPT, props("kek.provider", "local", "local.key", TestKeys.LOCAL_KEY, "dek.max.records", "lots")))
                .containsOnlyKeys("dek.max.records")
                .hasEntrySatisfying("dek.max.records", e -> assertThat(e).singleElement().asString().contains("lots"));
    }

    @Test
    void aLocalProviderWithoutAKeyIsReportedOnLocalKey() {
        assertThat(errors(ENCRYPT, props("kek.provider", "local"))).containsOnlyKeys("local.key")
                .hasEntrySatisfying("local.key", e -> assertThat(e).singleElement().asString()
                        .contains("Required with kek.provider=local").contains("local.key.file"));
        assertThat(errors(DECRYPT, props("kek.provider", "local", "local.key", TestKeys.LOCAL_KEY, "local.key.file", "/k")))
                .containsOnlyKeys("local.key");
    }

    @Test
    void azureWithoutVaultOrKeyIsReportedOnEachKey() {
        assertThat(errors(ENCRYPT, props("kek.provider", "azure-keyvault")))
                .containsOnlyKeys("azure.keyvault.url", "azure.keyvault.key.name");
        assertThat(errors(DECRYPT, props("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net")))
                .containsOnlyKeys("azure.keyvault.keys.allowed");
        assertThat(errors(ENCRYPT, props("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net",
                "azure.keyvault.key.name", "k", "azure.credential.type", "client-secret")))
                .containsOnlyKeys("azure.tenant.id", "azure.client.id", "azure.client.secret");
    }

    @Test
    void keySelectionSettingsComeTogether() {
        Map<String, String> base = props("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net");
        Map<String, String> template = new HashMap<>(base);
        template.put("kek.key.template", "tenant-{field:tenantId}");
        assertThat(errors(ENCRYPT, template)).containsOnlyKeys("kek.key.allowed.pattern");
        Map<String, String> fallback = new HashMap<>(base);
        fallback.put("azure.keyvault.key.name", "k");
        fallback.put("kek.key.fallback", "tenant-default");
        assertThat(errors(ENCRYPT, fallback)).containsOnlyKeys("kek.key.fallback");
    }

    @Test
    void anUnresolvedConfigProviderReferenceIsNamedAsSuch() {
        assertThat(errors(ENCRYPT, props("kek.provider", "azure-keyvault", "azure.keyvault.url", "${env:AZURE_KEYVAULT_URL}",
                "azure.keyvault.key.name", "k")))
                .containsOnlyKeys("azure.keyvault.url")
                .hasEntrySatisfying("azure.keyvault.url", e -> assertThat(e).singleElement().asString()
                        .contains("unresolved config provider reference").contains("environment variable"));
    }
}
