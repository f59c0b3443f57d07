package io.envelopecrypt.connect.registry;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The schema registry settings, named as Confluent's converters and serializers name them
 * ({@code schema.registry.url}, {@code basic.auth.*}, {@code bearer.auth.*}, {@code schema.registry.ssl.*}), so that
 * the values a worker already gives its {@code AvroConverter} can be copied as they are; secrets are
 * {@code PASSWORD}s and accept config providers ({@code ${file:...}}, {@code ${env:...}}).
 */
public final class SchemaRegistrySettings {
    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String GROUP = "Schema registry";

    private SchemaRegistrySettings() {
    }

    /** Adds the registry keys to {@code def}; {@code purpose} says what the registry is used for (shown in the docs). */
    public static ConfigDef addTo(ConfigDef def, String purpose) {
        int order = 0;
        return def.define(URL, ConfigDef.Type.LIST, List.of(), ConfigDef.Importance.MEDIUM,
                        purpose + " Comma-separated URLs of a Confluent-compatible schema registry (Confluent Schema "
                                + "Registry, or Apicurio Registry's https://<host>/apis/ccompat/v7), tried in order; the "
                                + "value converters' schema.registry.url, usually.",
                        GROUP, ++order, ConfigDef.Width.LONG, "Schema registry URLs")
                .define(BASIC_AUTH_SOURCE, ConfigDef.Type.STRING, "URL", ConfigDef.CaseInsensitiveValidString.in("URL", "USER_INFO"),
                        ConfigDef.Importance.LOW, "Where the basic-auth credentials come from: URL (user:password@ in the "
                                + "first registry URL, if any; the URL is not a secret setting, so Connect shows it in logs "
                                + "and the REST API) or USER_INFO (basic.auth.user.info, hidden like every password).",
                        GROUP, ++order, ConfigDef.Width.SHORT, "Basic auth source")
                .define(BASIC_AUTH_USER_INFO, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.MEDIUM,
                        "user:password for the registry, with basic.auth.credentials.source=USER_INFO. Use a config "
                                + "provider (${file:...}) rather than the secret itself.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Basic auth user info")
                .define(BEARER_AUTH_SOURCE, ConfigDef.Type.STRING, null,
                        ConfigDef.LambdaValidator.with((name, value) -> {
                            if (value != null && !"STATIC_TOKEN".equalsIgnoreCase(value.toString())) {
                                throw new ConfigException(name, value, "the only bearer source is STATIC_TOKEN");
                            }
                        }, () -> "STATIC_TOKEN, or empty"),
                        ConfigDef.Importance.LOW, "STATIC_TOKEN to send bearer.auth.token as a bearer token instead of "
                                + "basic auth.",
                        GROUP, ++order, ConfigDef.Width.SHORT, "Bearer auth source")
                .define(BEARER_AUTH_TOKEN, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.MEDIUM,
                        "The bearer token, with bearer.auth.credentials.source=STATIC_TOKEN.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Bearer token")
                .define(REQUEST_TIMEOUT_MS, ConfigDef.Type.INT, 30_000, ConfigDef.Range.between(100, 600_000),
                        ConfigDef.Importance.LOW, "How long one registry request may take before it counts as unreachable "
                                + "(retriable).",
                        GROUP, ++order, ConfigDef.Width.SHORT, "Request timeout")
                .define(SSL_TRUSTSTORE_LOCATION, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                        "Trust store for https registry URLs (default: the JVM's trusted CAs).",
                        GROUP, ++order, ConfigDef.Width.LONG, "TLS trust store")
                .define(SSL_TRUSTSTORE_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW,
                        "The trust store's password.", GROUP, ++order, ConfigDef.Width.MEDIUM, "TLS trust store password")
                .define(SSL_TRUSTSTORE_TYPE, ConfigDef.Type.STRING, "PKCS12", ConfigDef.Importance.LOW,
                        "The trust store's type (PKCS12 or JKS).", GROUP, ++order, ConfigDef.Width.SHORT, "TLS trust store type")
                .define(SSL_KEYSTORE_LOCATION, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                        "Key store with a client certificate, for registries that require mutual TLS.",
                        GROUP, ++order, ConfigDef.Width.LONG, "TLS key store")
                .define(SSL_KEYSTORE_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW,
                        "The key store's password.", GROUP, ++order, ConfigDef.Width.MEDIUM, "TLS key store password")
                .define(SSL_KEYSTORE_TYPE, ConfigDef.Type.STRING, "PKCS12", ConfigDef.Importance.LOW,
                        "The key store's type (PKCS12 or JKS).", GROUP, ++order, ConfigDef.Width.SHORT, "TLS key store type")
                .define(SSL_KEY_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW,
                        "The private key's password, if it differs from the key store's.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "TLS key password");
    }

    /**
     * What keeps these settings from reaching a registry, by key; {@code required} when the other settings need a
     * registry (payload.schema.location=registry).
     */
    public static Map<String, String> problems(Map<String, ?> parsed, boolean required, String requiredBecause) {
        Map<String, String> out = new LinkedHashMap<>();
        List<?> urls = (List<?>) parsed.get(URL);
        if (required && (urls == null || urls.isEmpty())) {
            out.put(URL, "Required: " + requiredBecause);
        }
        if (urls != null) {
            for (Object url : urls) {
                String u = url.toString();
                if (!u.startsWith("http://") && !u.startsWith("https://")) {
                    out.put(URL, "Not an http or https URL: " + io.envelopecrypt.connect.RecordText.quoted(shown(u)));
                }
            }
        }
        if ("USER_INFO".equalsIgnoreCase(String.valueOf(parsed.get(BASIC_AUTH_SOURCE))) && parsed.get(BASIC_AUTH_USER_INFO) == null) {
            out.put(BASIC_AUTH_USER_INFO, "Required with " + BASIC_AUTH_SOURCE + "=USER_INFO");
        }
        if (parsed.get(BEARER_AUTH_SOURCE) != null && parsed.get(BEARER_AUTH_TOKEN) == null) {
            out.put(BEARER_AUTH_TOKEN, "Required with " + BEARER_AUTH_SOURCE + "=STATIC_TOKEN");
        }
        for (String store : List.of(SSL_TRUSTSTORE_LOCATION, SSL_KEYSTORE_LOCATION)) {
            Object location = parsed.get(store);
            if (location != null && !Files.isReadable(Path.of(location.toString()))) {
                out.put(store, "Not a readable file: " + location);
            }
        }
        return out;
    }

    private static String shown(String url) {
        return url.replaceFirst("//[^/@]*@", "//");
    }

    /** A client for the configured registry, or null when no URL is set. */
    public static SchemaRegistryClient client(AbstractConfig config) {
        List<String> urls = config.getList(URL);
        if (urls.isEmpty()) {
            return null;
        }
        return new SchemaRegistryClient(urls, authorization(config, urls.get(0)), ssl(config),
                Duration.ofMillis(config.getInt(REQUEST_TIMEOUT_MS)));
    }

    private static String authorization(AbstractConfig config, String firstUrl) {
        Password token = config.getPassword(BEARER_AUTH_TOKEN);
        if (config.getString(BEARER_AUTH_SOURCE) != null && token != null) {
            return "Bearer " + token.value();
        }
        String userInfo = null;
        if ("USER_INFO".equalsIgnoreCase(config.getString(BASIC_AUTH_SOURCE))) {
            Password p = config.getPassword(BASIC_AUTH_USER_INFO);
            userInfo = p == null ? null : p.value();
        } else {
            String authority = java.net.URI.create(firstUrl).getRawUserInfo();
            userInfo = authority == null ? null : java.net.URLDecoder.decode(authority, StandardCharsets.UTF_8);
        }
        return userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static SSLContext ssl(AbstractConfig config) {
        String trust = config.getString(SSL_TRUSTSTORE_LOCATION);
        String keys = config.getString(SSL_KEYSTORE_LOCATION);
        if (trust == null && keys == null) {
            return null;
        }
        try {
            TrustManagerFactory tmf = null;
            if (trust != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(trust, config.getString(SSL_TRUSTSTORE_TYPE), config.getPassword(SSL_TRUSTSTORE_PASSWORD)));
            }
            KeyManagerFactory kmf = null;
            if (keys != null) {
                Password storePassword = config.getPassword(SSL_KEYSTORE_PASSWORD);
                Password keyPassword = config.getPassword(SSL_KEY_PASSWORD);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(keys, config.getString(SSL_KEYSTORE_TYPE), storePassword),
                        chars(keyPassword != null ? keyPassword : storePassword));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            // The exception's own message may name the file but not the password; say which setting to look at.
            throw new ConfigException("The schema registry's TLS stores (" + SSL_TRUSTSTORE_LOCATION + ", "
                    + SSL_KEYSTORE_LOCATION + ") cannot be loaded: " + e.getClass().getSimpleName());
        }
    }

    private static KeyStore load(String location, String type, Password password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, chars(password));
        }
        return store;
    }

    private static char[] chars(Password p) {
        return p == null ? null : p.value().toCharArray();
    }
}
