package io.envelopecrypt.connect.kms.azure;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Azure Key Vault settings. Key names follow the Azure SDK's environment variables
 * ({@code AZURE_TENANT_ID} becomes {@code azure.tenant.id}, and so on); secrets are passwords, so they
 * are hidden in logs and the REST API and can come from config providers ({@code ${file:...}}).
 *
 * <p>Over 300 lines because it is one documented ConfigDef of twenty settings with their validators and typed
 * getters; no provider logic lives here.
 */
public final class AzureKeyVaultConfig {
    public static final String GROUP_KEY = "Azure Key Vault key";
    public static final String GROUP_AUTH = "Azure authentication";
    public static final String GROUP_TRANSPORT = "Azure transport";

    public static final String VAULT_URL = "azure.keyvault.url";
    public static final String KEY_NAME = "azure.keyvault.key.name";
    public static final String KEY_VERSION = "azure.keyvault.key.version";
    public static final String WRAP_ALGORITHM = "azure.keyvault.wrap.algorithm";
    public static final String WRAP_MODE = "azure.keyvault.wrap.mode";
    public static final String KEYS_ALLOWED = "azure.keyvault.keys.allowed";
    public static final String ANY_KEY = "*";
    public static final String KEY_RECHECK_INTERVAL_MS = "azure.keyvault.key.recheck.interval.ms";
    public static final String KEY_FALLBACK_MAX_MS = "azure.keyvault.key.fallback.max.ms";
    public static final String SIGNING_KEY_NAME = "azure.keyvault.signing.key.name";
    public static final String CHALLENGE_RESOURCE_VERIFICATION = "azure.keyvault.challenge.resource.verification";

    public static final String CREDENTIAL_TYPE = "azure.credential.type";
    public static final String TENANT_ID = "azure.tenant.id";
    public static final String CLIENT_ID = "azure.client.id";
    public static final String CLIENT_SECRET = "azure.client.secret";
    public static final String CLIENT_CERTIFICATE_PATH = "azure.client.certificate.path";
    public static final String CLIENT_CERTIFICATE_PASSWORD = "azure.client.certificate.password";
    public static final String FEDERATED_TOKEN_FILE = "azure.federated.token.file";
    public static final String AUTHORITY_HOST = "azure.authority.host";

    public static final String TRUSTSTORE_LOCATION = "azure.ssl.truststore.location";
    public static final String TRUSTSTORE_TYPE = "azure.ssl.truststore.type";
    public static final String TRUSTSTORE_PASSWORD = "azure.ssl.truststore.password";
    public static final String RETRY_MAX_RETRIES = "azure.retry.max.retries";
    public static final String RETRY_BASE_DELAY_MS = "azure.retry.base.delay.ms";
    public static final String RETRY_MAX_DELAY_MS = "azure.retry.max.delay.ms";
    public static final String HTTP_CONNECT_TIMEOUT_MS = "azure.http.connect.timeout.ms";
    public static final String HTTP_RESPONSE_TIMEOUT_MS = "azure.http.response.timeout.ms";

    public static final String ALG_RSA_OAEP_256 = "RSA-OAEP-256";
    public static final String ALG_RSA_OAEP = "RSA-OAEP";
    public static final String MODE_LOCAL = "local";
    public static final String MODE_REMOTE = "remote";

    /** How the plugin authenticates to Microsoft Entra ID. */
    public enum CredentialType {
        DEFAULT("default"), CLIENT_SECRET("client-secret"), CLIENT_CERTIFICATE("client-certificate"),
        MANAGED_IDENTITY("managed-identity"), WORKLOAD_IDENTITY("workload-identity");

        final String configValue;

        CredentialType(String configValue) {
            this.configValue = configValue;
        }

        static CredentialType of(String value) {
            for (CredentialType t : values()) {
                if (t.configValue.equalsIgnoreCase(value)) {
                    return t;
                }
            }
            throw new IllegalArgumentException(value);
        }

        static String[] names() {
            CredentialType[] all = values();
            String[] names = new String[all.length];
            for (int i = 0; i < all.length; i++) {
                names[i] = all[i].configValue;
            }
            return names;
        }
    }

    private static final Pattern KEY_NAME_PATTERN = Pattern.compile("[0-9A-Za-z-]{1,127}");
    private static final Pattern KEY_VERSION_PATTERN = Pattern.compile("[0-9A-Za-z-]{1,64}");

    private final AbstractConfig config;

    public AzureKeyVaultConfig(AbstractConfig config) {
        this.config = config;
    }

    public static void addTo(ConfigDef def) {
        int order = 0;
        def.define(VAULT_URL, ConfigDef.Type.STRING, null, new HttpsUrl(), ConfigDef.Importance.HIGH,
                "The vault URL, e.g. https://my-vault.vault.azure.net/. Required with kek.provider=azure-keyvault. "
                        + "DecryptPayload unwraps only data keys whose keyId names this vault, so a record cannot "
                        + "send the worker's token to another host.",
                GROUP_KEY, ++order, ConfigDef.Width.LONG, "Vault URL");
        def.define(KEY_NAME, ConfigDef.Type.STRING, null, new Matching(KEY_NAME_PATTERN, "1-127 letters, digits or dashes"),
                ConfigDef.Importance.HIGH,
                "The RSA key that wraps data keys. Required for EncryptPayload. For DecryptPayload: only data keys "
                        + "wrapped by this key are unwrapped (or list several in azure.keyvault.keys.allowed).",
                GROUP_KEY, ++order, ConfigDef.Width.MEDIUM, "Key name");
        def.define(KEY_VERSION, ConfigDef.Type.STRING, null, new Matching(KEY_VERSION_PATTERN, "a key version id"),
                ConfigDef.Importance.MEDIUM,
                "Pin EncryptPayload to one key version. Empty (the default): the key's current version is looked up "
                        + "whenever a new data key is made, so a key rotation in Key Vault takes effect by itself. "
                        + "Every envelope records the exact version in keyId either way.",
                GROUP_KEY, ++order, ConfigDef.Width.MEDIUM, "Key version");
        def.define(WRAP_ALGORITHM, ConfigDef.Type.STRING, ALG_RSA_OAEP_256,
                ConfigDef.CaseInsensitiveValidString.in(ALG_RSA_OAEP_256, ALG_RSA_OAEP), ConfigDef.Importance.LOW,
                "How data keys are wrapped: RSA-OAEP-256 (OAEP with SHA-256, recommended) or RSA-OAEP (SHA-1, "
                        + "for compatibility).",
                GROUP_KEY, ++order, ConfigDef.Width.SHORT, "Wrap algorithm");
        def.define(WRAP_MODE, ConfigDef.Type.STRING, MODE_LOCAL, ConfigDef.CaseInsensitiveValidString.in(MODE_LOCAL, MODE_REMOTE),
                ConfigDef.Importance.MEDIUM,
                "EncryptPayload only. 'local': wrap new data keys with the key's RSA public key, read once per key "
                        + "version; the encrypting identity needs only keys/get and keeps working through short Key "
                        + "Vault outages with the last known version. 'remote': call Key Vault's wrapKey for each new "
                        + "data key (needs keys/get and keys/wrapKey). Unwrapping is always done by Key Vault.",
                GROUP_KEY, ++order, ConfigDef.Width.SHORT, "Wrap mode");
        def.define(KEYS_ALLOWED, ConfigDef.Type.LIST, "", new AllowedKeys(), ConfigDef.Importance.HIGH,
                "DecryptPayload, the Java API and the CLI: the keys of azure.keyvault.url whose data keys may be "
                        + "unwrapped, as key names, name/version to allow one version only, or a name prefix ending in "
                        + "'*' (tenant-* for per-tenant keys); '*' alone allows any key in the vault (logged as a warning). A record never decides which key is used: an envelope "
                        + "naming another key is refused without a call. One of this and azure.keyvault.key.name is "
                        + "required to decrypt.",
                GROUP_KEY, ++order, ConfigDef.Width.LONG, "Keys allowed to unwrap");
        def.define(KEY_RECHECK_INTERVAL_MS, ConfigDef.Type.LONG, 300_000L, ConfigDef.Range.between(1_000, 86_400_000),
                ConfigDef.Importance.LOW,
                "EncryptPayload only. How long a key version's state (enabled, not expired, allows wrapKey, still "
                        + "readable) is trusted before a new data key re-reads it. A version disabled as compromised, or "
                        + "a revoked keys/read, stops new data keys within this interval (a permanent error).",
                GROUP_KEY, ++order, ConfigDef.Width.SHORT, "Key state re-check interval");
        def.define(KEY_FALLBACK_MAX_MS, ConfigDef.Type.LONG, 3_600_000L, ConfigDef.Range.between(0, 86_400_000),
                ConfigDef.Importance.LOW,
                "EncryptPayload with wrap mode 'local' only. While Key Vault is unreachable, new data keys are wrapped "
                        + "with the last version read successfully, for at most this long after that read; then "
                        + "encryption waits for Key Vault (retriable). 0 disables the fallback.",
                GROUP_KEY, ++order, ConfigDef.Width.SHORT, "Outage fallback limit");
        def.define(SIGNING_KEY_NAME, ConfigDef.Type.STRING, null, new Matching(KEY_NAME_PATTERN, "1-127 letters, digits or dashes"),
                ConfigDef.Importance.MEDIUM,
                "Signed data keys: an RSA key in the same vault, separate from the wrapping key. EncryptPayload signs "
                        + "each new data key with its current version (RS256; one getKey and one sign call per data key, "
                        + "needs keys/get and keys/sign on it). DecryptPayload, the Java API and the CLI then accept only "
                        + "data keys signed by a version of this key (needs keys/get on it), so holding the wrapping key's "
                        + "public half no longer suffices to write records they accept. Empty (the default): no signatures.",
                GROUP_KEY, ++order, ConfigDef.Width.MEDIUM, "Signing key name");
        def.define(CHALLENGE_RESOURCE_VERIFICATION, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.LOW,
                "Whether the Azure SDK checks that the vault's authentication challenge names a resource matching the "
                        + "vault's host before it sends a token. Keep it on; turn it off only for a Key Vault test double "
                        + "or emulator on another domain (logged as a warning).",
                GROUP_KEY, ++order, ConfigDef.Width.SHORT, "Challenge resource verification");

        order = 0;
        def.define(CREDENTIAL_TYPE, ConfigDef.Type.STRING, CredentialType.DEFAULT.configValue,
                ConfigDef.CaseInsensitiveValidString.in(CredentialType.names()), ConfigDef.Importance.HIGH,
                "How to authenticate: 'default' (DefaultAzureCredential: environment variables, workload identity, "
                        + "managed identity, then developer tools), 'client-secret', 'client-certificate', "
                        + "'managed-identity' or 'workload-identity'.",
                GROUP_AUTH, ++order, ConfigDef.Width.SHORT, "Credential type");
        def.define(TENANT_ID, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                "Microsoft Entra tenant id. Required for client-secret and client-certificate; optional otherwise "
                        + "(AZURE_TENANT_ID is used when empty).",
                GROUP_AUTH, ++order, ConfigDef.Width.MEDIUM, "Tenant id");
        def.define(CLIENT_ID, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                "Application (client) id for client-secret, client-certificate and workload-identity; the client id "
                        + "of a user-assigned managed identity for managed-identity and default.",
                GROUP_AUTH, ++order, ConfigDef.Width.MEDIUM, "Client id");
        def.define(CLIENT_SECRET, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.MEDIUM,
                "Client secret for client-secret. Keep it out of the connector JSON with a config provider, e.g. "
                        + "${file:/etc/kafka/secrets/azure.properties:client.secret}.",
                GROUP_AUTH, ++order, ConfigDef.Width.MEDIUM, "Client secret");
        def.define(CLIENT_CERTIFICATE_PATH, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                "Certificate for client-certificate: a PEM file with the private key and certificate, or a "
                        + "PKCS#12 file (.pfx/.p12).",
                GROUP_AUTH, ++order, ConfigDef.Width.LONG, "Client certificate");
        def.define(CLIENT_CERTIFICATE_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW,
                "Password of a PKCS#12 client certificate.",
                GROUP_AUTH, ++order, ConfigDef.Width.MEDIUM, "Client certificate password");
        def.define(FEDERATED_TOKEN_FILE, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                "Federated token file for workload-identity (AZURE_FEDERATED_TOKEN_FILE is used when empty).",
                GROUP_AUTH, ++order, ConfigDef.Width.LONG, "Federated token file");
        def.define(AUTHORITY_HOST, ConfigDef.Type.STRING, null, new HttpsUrl(), ConfigDef.Importance.LOW,
                "Microsoft Entra authority, e.g. https://login.microsoftonline.us/ for Azure Government. Empty: "
                        + "AZURE_AUTHORITY_HOST or the public cloud. Instance discovery is skipped for hosts that are "
                        + "not Microsoft's.",
                GROUP_AUTH, ++order, ConfigDef.Width.LONG, "Authority host");

        order = 0;
        def.define(TRUSTSTORE_LOCATION, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                "Extra CA certificates to trust for Key Vault and Entra only (a PEM file, or a PKCS12/JKS "
                        + "truststore), on top of the JVM's. The worker's global truststore is not changed.",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.LONG, "Truststore");
        def.define(TRUSTSTORE_TYPE, ConfigDef.Type.STRING, "PEM", ConfigDef.CaseInsensitiveValidString.in("PEM", "PKCS12", "JKS"),
                ConfigDef.Importance.LOW, "Type of " + TRUSTSTORE_LOCATION + ".",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.SHORT, "Truststore type");
        def.define(TRUSTSTORE_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.LOW,
                "Password of a PKCS12/JKS truststore.",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.MEDIUM, "Truststore password");
        def.define(RETRY_MAX_RETRIES, ConfigDef.Type.INT, 3, ConfigDef.Range.between(0, 20), ConfigDef.Importance.LOW,
                "Retries of a failed Key Vault or Entra request (408, 429, 5xx, I/O errors) inside the Azure SDK, "
                        + "with exponential backoff; Retry-After is honoured. When they run out the record fails with "
                        + "a RetriableException and Connect's errors.retry.timeout takes over.",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.SHORT, "Max retries");
        def.define(RETRY_BASE_DELAY_MS, ConfigDef.Type.LONG, 800L, ConfigDef.Range.between(1, 600_000), ConfigDef.Importance.LOW,
                "First retry delay; it doubles with each retry.",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.SHORT, "Retry base delay");
        def.define(RETRY_MAX_DELAY_MS, ConfigDef.Type.LONG, 8_000L, ConfigDef.Range.between(1, 600_000), ConfigDef.Importance.LOW,
                "Longest retry delay (a Retry-After from the service may ask for longer).",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.SHORT, "Retry max delay");
        def.define(HTTP_CONNECT_TIMEOUT_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Range.between(1, 600_000), ConfigDef.Importance.LOW,
                "TCP/TLS connect timeout per attempt.",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.SHORT, "Connect timeout");
        def.define(HTTP_RESPONSE_TIMEOUT_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Range.between(1, 600_000), ConfigDef.Importance.LOW,
                "Time to wait for a response per attempt.",
                GROUP_TRANSPORT, ++order, ConfigDef.Width.SHORT, "Response timeout");
    }

    // ---------------------------------------------------------------- typed access

    String vaultUrl() {
        String url = config.getString(VAULT_URL);
        if (url == null) {
            throw new ConfigException(VAULT_URL, null, "required with kek.provider=azure-keyvault");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    String keyName() {
        return config.getString(KEY_NAME);
    }

    boolean challengeResourceVerification() {
        return config.getBoolean(CHALLENGE_RESOURCE_VERIFICATION);
    }

    String signingKeyName() {
        return config.getString(SIGNING_KEY_NAME);
    }

    String keyVersion() {
        return config.getString(KEY_VERSION);
    }

    String wrapAlgorithm() {
        return config.getString(WRAP_ALGORITHM).toUpperCase(Locale.ROOT);
    }

    /** The keys allowed to unwrap: names, name/version pairs, or {@link #ANY_KEY}; includes the key name. */
    java.util.Set<String> keysAllowed() {
        java.util.Set<String> allowed = new java.util.LinkedHashSet<>(config.getList(KEYS_ALLOWED));
        if (keyName() != null) {
            allowed.add(keyName());
        }
        return allowed;
    }

    long keyRecheckIntervalMs() {
        return config.getLong(KEY_RECHECK_INTERVAL_MS);
    }

    long keyFallbackMaxMs() {
        return config.getLong(KEY_FALLBACK_MAX_MS);
    }

    boolean wrapLocally() {
        return MODE_LOCAL.equalsIgnoreCase(config.getString(WRAP_MODE));
    }

    CredentialType credentialType() {
        return CredentialType.of(config.getString(CREDENTIAL_TYPE));
    }

    String tenantId() {
        return config.getString(TENANT_ID);
    }

    String clientId() {
        return config.getString(CLIENT_ID);
    }

    String clientSecret() {
        Password p = config.getPassword(CLIENT_SECRET);
        return p == null ? null : p.value();
    }

    String clientCertificatePath() {
        return config.getString(CLIENT_CERTIFICATE_PATH);
    }

    String clientCertificatePassword() {
        Password p = config.getPassword(CLIENT_CERTIFICATE_PASSWORD);
        return p == null ? null : p.value();
    }

    String federatedTokenFile() {
        return config.getString(FEDERATED_TOKEN_FILE);
    }

    String authorityHost() {
        return config.getString(AUTHORITY_HOST);
    }

    String truststoreLocation() {
        return config.getString(TRUSTSTORE_LOCATION);
    }

    String truststoreType() {
        return config.getString(TRUSTSTORE_TYPE).toUpperCase(Locale.ROOT);
    }

    char[] truststorePassword() {
        Password p = config.getPassword(TRUSTSTORE_PASSWORD);
        return p == null ? null : p.value().toCharArray();
    }

    int maxRetries() {
        return config.getInt(RETRY_MAX_RETRIES);
    }

    Duration retryBaseDelay() {
        return Duration.ofMillis(config.getLong(RETRY_BASE_DELAY_MS));
    }

    Duration retryMaxDelay() {
        return Duration.ofMillis(config.getLong(RETRY_MAX_DELAY_MS));
    }

    Duration connectTimeout() {
        return Duration.ofMillis(config.getLong(HTTP_CONNECT_TIMEOUT_MS));
    }

    Duration responseTimeout() {
        return Duration.ofMillis(config.getLong(HTTP_RESPONSE_TIMEOUT_MS));
    }

    static ConfigException required(String key, String why) {
        return new ConfigException(key, null, "required " + why);
    }

    // ---------------------------------------------------------------- validators

    /** Key names, name/version pairs, or '*'. */
    static final class AllowedKeys implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            java.util.List<String> entries = (java.util.List<String>) value;
            for (String entry : entries) {
                String[] parts = entry.split("/", -1);
                boolean prefix = parts.length == 1 && entry.length() > 1 && entry.endsWith(ANY_KEY)
                        && KEY_NAME_PATTERN.matcher(entry.substring(0, entry.length() - 1)).matches();
                boolean ok = ANY_KEY.equals(entry) || prefix || parts.length <= 2 && KEY_NAME_PATTERN.matcher(parts[0]).matches()
                        && (parts.length == 1 || KEY_VERSION_PATTERN.matcher(parts[1]).matches());
                if (!ok) {
                    throw new ConfigException(name, entry, "must be a key name, name/version, a name prefix ending in *, or *");
                }
            }
        }

        @Override
        public String toString() {
            return "key names, name/version pairs, name prefixes ending in *, or *";
        }
    }

    /** An absolute https URL: Key Vault and Entra are only reachable over TLS. */
    static final class HttpsUrl implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            String s = value.toString();
            try {
                URI uri = new URI(s);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (uri.getHost() == null || !scheme.equals("https")) {
                    throw new ConfigException(name, value, "must be an absolute https:// URL");
                }
                if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                    throw new ConfigException(name, value, "must not have user info, a query or a fragment");
                }
            } catch (java.net.URISyntaxException e) {
                throw new ConfigException(name, value, "is not a valid URL");
            }
        }

        @Override
        public String toString() {
            return "an https:// URL";
        }
    }

    static final class Matching implements ConfigDef.Validator {
        private final Pattern pattern;
        private final String description;

        Matching(Pattern pattern, String description) {
            this.pattern = pattern;
            this.description = description;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !pattern.matcher(value.toString()).matches()) {
                throw new ConfigException(name, value, "must be " + description);
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
