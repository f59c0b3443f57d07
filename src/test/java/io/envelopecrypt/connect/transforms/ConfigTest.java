package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.PluginVersion;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

    static Stream<Arguments> badEncryptConfigs() {
        return Stream.of(
                Arguments.of(Map.of(), "kek.provider"),
                Arguments.of(Map.of("kek.provider", "vault"), "kek.provider"),
                Arguments.of(Map.of("kek.provider", "local"), "local.key"),
                Arguments.of(Map.of("kek.provider", "local", "local.key", "not base64!"), "local.key"),
                Arguments.of(Map.of("kek.provider", "local", "local.key", "AAAA"), "local.key"),
                Arguments.of(Map.of("kek.provider", "local", "local.key", TestKeys.LOCAL_KEY, "local.key.file", "/k"), "local.key"),
                Arguments.of(Map.of("kek.provider", "local", "local.key.file", "/does/not/exist"), "local.key.file"),
                Arguments.of(Map.of("kek.provider", "local", "local.key", TestKeys.LOCAL_KEY, "local.key.name", ""), "local.key.name"),
                Arguments.of(withLocal("dek.max.records", "0"), "dek.max.records"),
                Arguments.of(withLocal("dek.max.records", "4294967297"), "dek.max.records"),
                Arguments.of(withLocal("dek.max.records", "many"), "dek.max.records"),
                Arguments.of(withLocal("dek.max.age.ms", "10"), "dek.max.age.ms"),
                Arguments.of(withLocal("envelope.schema.name", "has spaces"), "envelope.schema.name"),
                Arguments.of(withLocal("envelope.schema.name", "1abc"), "envelope.schema.name"),
                Arguments.of(withLocal("envelope.id", "topic"), "envelope.id"),
                Arguments.of(withLocal("envelope.id", "field:"), "envelope.id"),
                Arguments.of(withLocal("envelope.id", "field:a..b"), "envelope.id"),
                Arguments.of(withLocal("envelope.event.type", "uuid"), "envelope.event.type"),
                Arguments.of(withLocal("envelope.event.type", "whatever"), "envelope.event.type"),
                Arguments.of(withLocal("envelope.timestamp", "static:yesterday"), "envelope.timestamp"),
                Arguments.of(withLocal("envelope.metadata", "novalue"), "envelope.metadata"),
                Arguments.of(withLocal("envelope.metadata", "a=static:x,a=static:y"), "envelope.metadata"),
                Arguments.of(withLocal("envelope.metadata", "a=uuid"), "envelope.metadata"),
                Arguments.of(withLocal("kek.verify.on.start", "maybe"), "kek.verify.on.start"),
                Arguments.of(Map.of("kek.provider", "azure-keyvault"), "azure.keyvault.url"),
                Arguments.of(Map.of("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net"), "azure.keyvault.key.name"),
                Arguments.of(Map.of("kek.provider", "azure-keyvault", "azure.keyvault.url", "http://v.vault.azure.net", "azure.keyvault.key.name", "k"), "azure.keyvault.url"),
                Arguments.of(azure("azure.keyvault.key.name", "bad name!"), "azure.keyvault.key.name"),
                Arguments.of(azure("azure.keyvault.wrap.algorithm", "RSA1_5"), "azure.keyvault.wrap.algorithm"),
                Arguments.of(azure("azure.keyvault.wrap.mode", "sideways"), "azure.keyvault.wrap.mode"),
                Arguments.of(azure("azure.credential.type", "password"), "azure.credential.type"),
                Arguments.of(azure("azure.credential.type", "client-secret"), "azure.tenant.id"),
                Arguments.of(azure("azure.credential.type", "client-secret", "azure.tenant.id", "t", "azure.client.id", "c"), "azure.client.secret"),
                Arguments.of(azure("azure.credential.type", "client-certificate", "azure.tenant.id", "t", "azure.client.id", "c"), "azure.client.certificate.path"),
                Arguments.of(azure("azure.authority.host", "login.example"), "azure.authority.host"),
                Arguments.of(azure("azure.ssl.truststore.location", "/does/not/exist.pem"), "azure.ssl.truststore.location"),
                Arguments.of(azure("azure.ssl.truststore.type", "P12"), "azure.ssl.truststore.type"),
                Arguments.of(azure("azure.retry.max.retries", "-1"), "azure.retry.max.retries"),
                Arguments.of(azure("azure.http.response.timeout.ms", "0"), "azure.http.response.timeout.ms"));
    }

    static Stream<Arguments> badDecryptConfigs() {
        return Stream.of(
                Arguments.of(Map.of(), "kek.provider"),
                Arguments.of(withLocal("on.non.envelope", "ignore"), "on.non.envelope"),
                Arguments.of(withLocal("dek.cache.max.entries", "0"), "dek.cache.max.entries"),
                Arguments.of(withLocal("dek.cache.ttl.ms", "5"), "dek.cache.ttl.ms"),
                Arguments.of(Map.of("kek.provider", "azure-keyvault"), "azure.keyvault.url"),
                Arguments.of(Map.of("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://v.vault.azure.net"),
                        "azure.keyvault.keys.allowed"),
                Arguments.of(azure("azure.keyvault.keys.allowed", "bad name!"), "azure.keyvault.keys.allowed"));
    }

    private static Map<String, String> withLocal(String key, String value) {
        Map<String, String> m = new HashMap<>();
        m.put("kek.provider", "local");
        m.put("local.key", TestKeys.LOCAL_KEY);
        m.put(key, value);
        return m;
    }

    private static Map<String, String> azure(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("kek.provider", "azure-keyvault");
        m.put("azure.keyvault.url", "https://v.vault.azure.net/");
        m.put("azure.keyvault.key.name", "k");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @ParameterizedTest
    @MethodSource("badEncryptConfigs")
    void encryptRejectsBadConfigNamingTheKey(Map<String, String> props, String key) {
        assertRejected(new EncryptPayload<SourceRecord>(), props, key);
    }

    @ParameterizedTest
    @MethodSource("badDecryptConfigs")
    void decryptRejectsBadConfigNamingTheKey(Map<String, String> props, String key) {
        assertRejected(new DecryptPayload<SourceRecord>(), props, key);
    }

    private static void assertRejected(Transformation<SourceRecord> t, Map<String, String> props, String key) {
        assertThatThrownBy(() -> t.configure(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TestKeys.LOCAL_KEY));
        t.close();
    }

    @Test
    void restValidationReportsErrorsPerKeyWithoutCallingConfigure() {
        // What the worker does for PUT /connector-plugins/.../config/validate: ConfigDef.validate only.
        Map<String, String> props = new HashMap<>();
        props.put("kek.provider", "vault");
        props.put("local.key", "c2hvcnQ=");
        props.put("dek.max.records", "0");
        props.put("envelope.event.type", "bogus");
        List<ConfigValue> values = new EncryptPayload<SourceRecord>().config().validate(props);
        Map<String, List<String>> errors = values.stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
        assertThat(errors).containsOnlyKeys("kek.provider", "local.key", "dek.max.records", "envelope.event.type");
        assertThat(errors.get("local.key").toString()).doesNotContain("c2hvcnQ=");
    }

    @Test
    void secretsArePasswordsAndEveryKeyIsDocumented() {
        for (ConfigDef def : List.of(EncryptPayload.CONFIG_DEF, DecryptPayload.CONFIG_DEF)) {
            assertThat(def.configKeys().get("local.key").type).isEqualTo(ConfigDef.Type.PASSWORD);
            assertThat(def.configKeys().get("azure.client.secret").type).isEqualTo(ConfigDef.Type.PASSWORD);
            assertThat(def.configKeys().get("azure.client.certificate.password").type).isEqualTo(ConfigDef.Type.PASSWORD);
            assertThat(def.configKeys().get("azure.ssl.truststore.password").type).isEqualTo(ConfigDef.Type.PASSWORD);
            def.configKeys().values().forEach(k -> {
                assertThat(k.documentation).as(k.name).isNotBlank();
                assertThat(k.importance).as(k.name).isNotNull();
                assertThat(k.group).as(k.name).isNotNull();
            });
        }
    }

    @Test
    void localKeyFileSupportsRotation(@TempDir Path dir) throws IOException {
        Path oldFile = dir.resolve("old.keys");
        Files.writeString(oldFile, "# old key only\n" + TestKeys.LOCAL_KEY + "\n");
        Path rotated = dir.resolve("rotated.keys");
        Files.writeString(rotated, TestKeys.OTHER_LOCAL_KEY + "\n" + TestKeys.LOCAL_KEY + "\n");

        EncryptPayload<SourceRecord> before = new EncryptPayload<>();
        before.configure(Map.of("kek.provider", "local", "local.key.file", oldFile.toString()));
        EncryptPayload<SourceRecord> after = new EncryptPayload<>();
        after.configure(Map.of("kek.provider", "local", "local.key.file", rotated.toString()));
        DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
        decrypt.configure(Map.of("kek.provider", "local", "local.key.file", rotated.toString()));

        SourceRecord old = before.apply(RoundTripTest.record(null, "old", 1));
        SourceRecord fresh = after.apply(RoundTripTest.record(null, "new", 2));
        assertThat(((org.apache.kafka.connect.data.Struct) old.value()).getString("keyId"))
                .isNotEqualTo(((org.apache.kafka.connect.data.Struct) fresh.value()).getString("keyId"));
        assertThat(decrypt.apply(old).value()).isEqualTo("old");
        assertThat(decrypt.apply(fresh).value()).isEqualTo("new");
        before.close();
        after.close();
        decrypt.close();
    }

    @Test
    void configProviderValuesAreWhatTheTransformReceives() {
        // The worker resolves ${file:...}/${env:...} before configure(); a resolved PASSWORD must work.
        EncryptPayload<SourceRecord> t = new EncryptPayload<>();
        t.configure(Map.of("kek.provider", "local", "local.key", new org.apache.kafka.common.config.types.Password(TestKeys.LOCAL_KEY)));
        DecryptPayload<SourceRecord> d = new DecryptPayload<>();
        d.configure(TestKeys.localConfig());
        assertThat(d.apply(t.apply(RoundTripTest.record(null, "resolved", 1))).value())
                .as("a key given as a resolved Password encrypts what the configured key decrypts").isEqualTo("resolved");
        t.close();
        d.close();
    }

    @Test
    void bothTransformsAreVersionedAndListedInTheServiceManifest() throws IOException {
        assertThat(new EncryptPayload<SourceRecord>().version()).isEqualTo(PluginVersion.get()).doesNotContain("unknown");
        assertThat(new DecryptPayload<SourceRecord>().version()).isEqualTo(PluginVersion.get());
        try (InputStream in = getClass().getResourceAsStream("/META-INF/services/org.apache.kafka.connect.transforms.Transformation")) {
            String manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(manifest.lines()).contains(EncryptPayload.class.getName(), DecryptPayload.class.getName());
        }
        @SuppressWarnings("rawtypes")
        ServiceLoader<Transformation> loader = ServiceLoader.load(Transformation.class);
        assertThat(StreamSupport.stream(loader.spliterator(), false).map(t -> t.getClass().getName()))
                .contains(EncryptPayload.class.getName(), DecryptPayload.class.getName());
    }

    @Test
    void constructorsAndConfigDoNothingHeavy() {
        EncryptPayload<SourceRecord> t = new EncryptPayload<>();
        assertThat(t.config()).isSameAs(EncryptPayload.CONFIG_DEF);
        t.close(); // close before configure must be safe, as the worker may do it
        new DecryptPayload<SourceRecord>().close();
    }
}
