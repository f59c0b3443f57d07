package io.envelopecrypt.connect.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;

import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

import reactor.core.publisher.Mono;

/**
 * Key-encryption keys in Azure Key Vault: RSA keys wrap data keys with RSA-OAEP-256 (or RSA-OAEP).
 *
 * <p>Wrapping: the key's current version is looked up when a data key is made (unless a version is
 * pinned), and the data key is wrapped either locally with that version's public key (default; the
 * public key is read once per version, and the last known version keeps serving through a Key Vault
 * outage) or by Key Vault's wrapKey. Unwrapping is always done by Key Vault, and only for keys in the
 * configured vault: the key id in a record never decides where the worker's token is sent.
 */
public final class AzureKeyVaultKeyProvider implements KeyEncryptionKeyProvider {
    private static final Logger log = LoggerFactory.getLogger(AzureKeyVaultKeyProvider.class);
    private static final int MAX_CRYPTO_CLIENTS = 64;

    private final String vaultUrl;
    private final URI vaultUri;
    private final String keyName;
    private final String pinnedVersion;
    private final String wrapAlgorithm;
    private final boolean wrapLocally;
    private final Supplier<TokenCredential> credentials;
    private final HttpClient httpClient;
    private final RetryOptions retryOptions;
    private final boolean challengeVerification;
    private final HttpPipelinePolicy requestCounter;
    private final Map<String, ResolvedKey> resolvedVersions = new LinkedHashMap<>();
    private volatile Clients clients;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong credentialRefreshes = new AtomicLong();
    private final AtomicLong httpRequests = new AtomicLong();
    private volatile ResolvedKey lastResolved;
    private volatile boolean closed;

    /** A resolved key version with what local wrapping needs. */
    private record ResolvedKey(String version, PublicKey publicKey) {
    }

    AzureKeyVaultKeyProvider(AzureKeyVaultConfig config, Supplier<TokenCredential> credentials, HttpClient httpClient) {
        this.vaultUrl = config.vaultUrl();
        this.vaultUri = URI.create(vaultUrl);
        this.keyName = config.keyName();
        this.pinnedVersion = config.keyVersion();
        this.wrapAlgorithm = config.wrapAlgorithm();
        this.wrapLocally = config.wrapLocally();
        this.credentials = credentials;
        this.httpClient = httpClient;
        this.retryOptions = AzureTransport.retryOptions(config);
        this.challengeVerification = isAzureVaultHost(vaultUri.getHost());
        this.requestCounter = new RequestCounter(httpRequests);
        if (pinnedVersion != null && keyName == null) {
            throw new ConfigException(AzureKeyVaultConfig.KEY_VERSION, pinnedVersion,
                    "needs " + AzureKeyVaultConfig.KEY_NAME);
        }
        this.clients = new Clients(credentials.get());
        if (!challengeVerification) {
            log.info("Key Vault host {} is not an Azure Key Vault domain: challenge resource verification is off",
                    vaultUri.getHost());
        }
    }

    /** Builds the provider with its own HTTP client, retry policy and credential. */
    public static AzureKeyVaultKeyProvider create(AzureKeyVaultConfig config) {
        HttpClient http = AzureTransport.httpClient(config);
        RetryOptions retry = AzureTransport.retryOptions(config);
        return new AzureKeyVaultKeyProvider(config,
                () -> AzureCredentials.create(config, http, retry, new RequestCounter(new AtomicLong())), http);
    }

    static boolean isAzureVaultHost(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return h.endsWith(".vault.azure.net") || h.endsWith(".vault.azure.cn") || h.endsWith(".vault.usgovcloudapi.net")
                || h.endsWith(".vault.microsoftazure.de") || h.endsWith(".managedhsm.azure.net")
                || h.endsWith(".managedhsm.azure.cn") || h.endsWith(".managedhsm.usgovcloudapi.net");
    }

    // ---------------------------------------------------------------- wrap

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        ensureOpen();
        requireKeyName();
        ResolvedKey key = resolveForWrap();
        String keyId = keyId(keyName, key.version());
        byte[] wrapped;
        if (wrapLocally) {
            wrapped = wrapWithPublicKey(key.publicKey(), dataKey, keyId);
        } else {
            String version = key.version();
            wrapped = call("wrapKey", keyName, version, c -> c.crypto(keyName, version)
                    .wrapKey(KeyWrapAlgorithm.fromString(wrapAlgorithm), dataKey).getEncryptedKey());
        }
        return new WrappedKey(keyId, wrapAlgorithm, wrapped);
    }

    private ResolvedKey resolveForWrap() {
        if (pinnedVersion != null) {
            ResolvedKey known;
            synchronized (resolvedVersions) {
                known = resolvedVersions.get(pinnedVersion);
            }
            return known != null ? known : fetch(pinnedVersion);
        }
        try {
            return fetch(null);
        } catch (KmsUnavailableException e) {
            ResolvedKey last = lastResolved;
            if (wrapLocally && last != null) {
                log.warn("Key Vault is unreachable; wrapping the new data key with the last known version {} of key "
                        + "'{}' until it is reachable again ({})", last.version(), keyName, e.getMessage());
                return last;
            }
            throw e;
        }
    }

    /** GETs a key (version null = current), checks that it can wrap, and remembers its public key. */
    private ResolvedKey fetch(String version) {
        KeyVaultKey key = call("getKey", keyName, version,
                c -> version == null ? c.keyClient.getKey(keyName) : c.keyClient.getKey(keyName, version));
        String resolvedVersion = key.getProperties().getVersion();
        if (resolvedVersion == null || resolvedVersion.isEmpty()) {
            resolvedVersion = versionFromKid(key.getId());
        }
        checkUsable(key, resolvedVersion, com.azure.security.keyvault.keys.models.KeyOperation.WRAP_KEY);
        PublicKey publicKey = null;
        if (wrapLocally) {
            try {
                publicKey = key.getKey().toRsa(false).getPublic();
            } catch (RuntimeException e) {
                throw new KmsAccessException(Reason.KEY_NOT_USABLE, "Key " + describe(keyName, resolvedVersion)
                        + " has no usable RSA public key (" + e.getClass().getSimpleName() + ")");
            }
        }
        ResolvedKey resolved = new ResolvedKey(resolvedVersion, publicKey);
        synchronized (resolvedVersions) {
            ResolvedKey known = resolvedVersions.get(resolvedVersion);
            if (known != null) {
                resolved = known;
            } else {
                resolvedVersions.put(resolvedVersion, resolved);
                if (lastResolved != null && !resolvedVersion.equals(lastResolved.version())) {
                    log.info("Key '{}' in {} moved to version {}: new data keys are wrapped with it",
                            keyName, vaultUrl, resolvedVersion);
                }
            }
        }
        lastResolved = resolved;
        return resolved;
    }

    private void checkUsable(KeyVaultKey key, String version, com.azure.security.keyvault.keys.models.KeyOperation operation) {
        String what = "Key " + describe(keyName, version);
        KeyType type = key.getKeyType();
        if (type == null || !(KeyType.RSA.equals(type) || KeyType.RSA_HSM.equals(type))) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, what + " is of type " + type + "; an RSA key is required");
        }
        if (Boolean.FALSE.equals(key.getProperties().isEnabled())) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, what + " is disabled");
        }
        OffsetDateTime now = OffsetDateTime.now();
        OffsetDateTime expires = key.getProperties().getExpiresOn();
        if (expires != null && now.isAfter(expires)) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, what + " expired at " + expires);
        }
        OffsetDateTime notBefore = key.getProperties().getNotBefore();
        if (notBefore != null && now.isBefore(notBefore)) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, what + " is not valid before " + notBefore);
        }
        List<com.azure.security.keyvault.keys.models.KeyOperation> ops = key.getKeyOperations();
        if (ops != null && !ops.isEmpty() && !ops.contains(operation)) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, what + " does not allow the " + operation
                    + " operation (its key_ops are " + ops + ")");
        }
    }

    private byte[] wrapWithPublicKey(PublicKey publicKey, byte[] dataKey, String keyId) {
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.ENCRYPT_MODE, publicKey, oaepParameters(wrapAlgorithm));
            return rsa.doFinal(dataKey);
        } catch (GeneralSecurityException e) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, "Wrapping a data key locally with the public key of "
                    + keyId + " failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** OAEP parameters exactly as Key Vault defines the two algorithms. */
    static OAEPParameterSpec oaepParameters(String algorithm) {
        return AzureKeyVaultConfig.ALG_RSA_OAEP_256.equals(algorithm)
                ? new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT)
                : new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
    }

    // ---------------------------------------------------------------- unwrap

    @Override
    public byte[] unwrap(WrappedKey wrappedKey) {
        ensureOpen();
        String algorithm = wrappedKey.algorithm().toUpperCase(Locale.ROOT);
        if (!AzureKeyVaultConfig.ALG_RSA_OAEP_256.equals(algorithm) && !AzureKeyVaultConfig.ALG_RSA_OAEP.equals(algorithm)) {
            throw new KmsAccessException(Reason.INVALID_WRAPPED_KEY, "Azure Key Vault keys unwrap RSA-OAEP-256 and "
                    + "RSA-OAEP data keys; the envelope says '" + wrappedKey.algorithm() + "'");
        }
        String[] nameAndVersion = parseKeyId(wrappedKey.keyId());
        String name = nameAndVersion[0];
        String version = nameAndVersion[1];
        return call("unwrapKey", name, version, c -> c.crypto(name, version)
                .unwrapKey(KeyWrapAlgorithm.fromString(algorithm), wrappedKey.wrapped()).getKey());
    }

    /**
     * Splits {@code https://vault/keys/name/version} into name and version, refusing keys outside the
     * configured vault (or, when a key name is configured, other keys).
     */
    String[] parseKeyId(String keyId) {
        URI uri;
        try {
            uri = new URI(keyId);
        } catch (java.net.URISyntaxException e) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's keyId is not a Key Vault key identifier");
        }
        String[] path = uri.getPath() == null ? new String[0] : uri.getPath().split("/");
        if (!"https".equalsIgnoreCase(uri.getScheme()) || path.length != 4 || !path[0].isEmpty()
                || !"keys".equals(path[1]) || path[2].isEmpty() || path[3].isEmpty()) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's keyId is not a versioned Key Vault key "
                    + "identifier (https://<vault>/keys/<name>/<version>)");
        }
        if (uri.getHost() == null || !uri.getHost().equalsIgnoreCase(vaultUri.getHost()) || port(uri) != port(vaultUri)) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's data key was wrapped by a key in vault "
                    + uri.getScheme() + "://" + uri.getRawAuthority() + ", not in the configured vault " + vaultUrl
                    + "; it is not unwrapped");
        }
        if (keyName != null && !keyName.equalsIgnoreCase(path[2])) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's data key was wrapped by key '" + path[2]
                    + "', but this transform may only use key '" + keyName + "'");
        }
        return new String[] {path[2], path[3]};
    }

    private static int port(URI uri) {
        return uri.getPort() == -1 ? 443 : uri.getPort();
    }

    // ---------------------------------------------------------------- verify

    @Override
    public void verify(KeyOperation operation) {
        if (operation == KeyOperation.WRAP) {
            requireKeyName();
            ResolvedKey key = pinnedVersion != null ? fetch(pinnedVersion) : fetch(null);
            if (!wrapLocally) {
                byte[] probe = new byte[32];
                new SecureRandom().nextBytes(probe);
                call("wrapKey", keyName, key.version(), c -> c.crypto(keyName, key.version())
                        .wrapKey(KeyWrapAlgorithm.fromString(wrapAlgorithm), probe));
            }
            log.info("Verified that {} can wrap data keys", describe(keyName, key.version()));
        } else if (keyName != null) {
            String version = pinnedVersion;
            if (version == null) {
                version = call("getKey", keyName, null, c -> c.keyClient.getKey(keyName)).getProperties().getVersion();
            }
            // Unwrapping garbage proves the permission without any key material: Key Vault checks access
            // (403) and existence (404) before it tries to decrypt (400).
            byte[] garbage = new byte[256];
            new SecureRandom().nextBytes(garbage);
            String probeVersion = version;
            try {
                call("unwrapKey", keyName, probeVersion, c -> c.crypto(keyName, probeVersion)
                        .unwrapKey(KeyWrapAlgorithm.fromString(wrapAlgorithm), garbage));
            } catch (KmsAccessException e) {
                if (e.reason() != Reason.INVALID_WRAPPED_KEY) {
                    throw e;
                }
            }
            log.info("Verified that {} can unwrap data keys", describe(keyName, version));
        }
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * The Key Vault clients of one credential. When Key Vault rejects a token that the credential still
     * considers valid (revoked, or a clock disagreement), they are rebuilt with a fresh credential once.
     */
    private final class Clients {
        final KeyClient keyClient;
        private final TokenCredential credential;
        private final Map<String, CryptographyClient> cryptoClients = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CryptographyClient> eldest) {
                return size() > MAX_CRYPTO_CLIENTS;
            }
        };

        Clients(TokenCredential credential) {
            this.credential = credential;
            KeyClientBuilder kb = new KeyClientBuilder().vaultUrl(vaultUrl).credential(credential).httpClient(httpClient)
                    .retryOptions(retryOptions).addPolicy(requestCounter);
            if (!challengeVerification) {
                kb.disableChallengeResourceVerification();
            }
            this.keyClient = kb.buildClient();
        }

        synchronized CryptographyClient crypto(String name, String version) {
            String id = keyId(name, version);
            CryptographyClient client = cryptoClients.get(id);
            if (client == null) {
                CryptographyClientBuilder b = new CryptographyClientBuilder().keyIdentifier(id).credential(credential)
                        .httpClient(httpClient).retryOptions(retryOptions).addPolicy(requestCounter)
                        // No GET before each crypto call: the unwrapping identity needs only unwrapKey.
                        .disableKeyCaching();
                if (!challengeVerification) {
                    b.disableChallengeResourceVerification();
                }
                client = b.buildClient();
                cryptoClients.put(id, client);
            }
            return client;
        }
    }

    private <T> T call(String operation, String name, String version, Function<Clients, T> action) {
        ensureOpen();
        Clients current = clients;
        try {
            calls.incrementAndGet();
            return action.apply(current);
        } catch (RuntimeException e) {
            RuntimeException translated = AzureErrors.translate(e, operation, describe(name, version));
            if (!(translated instanceof KmsAccessException k) || k.reason() != Reason.TOKEN_REJECTED) {
                throw translated;
            }
        }
        Clients fresh = refreshCredential(current);
        log.warn("Key Vault rejected the access token of {} for {}; retrying once with a fresh credential",
                describe(name, version), operation);
        try {
            calls.incrementAndGet();
            return action.apply(fresh);
        } catch (RuntimeException e) {
            throw AzureErrors.translate(e, operation, describe(name, version));
        }
    }

    private synchronized Clients refreshCredential(Clients rejected) {
        if (clients == rejected) {
            clients = new Clients(credentials.get());
            credentialRefreshes.incrementAndGet();
        }
        return clients;
    }

    String keyId(String name, String version) {
        return vaultUrl + "/keys/" + name + "/" + version;
    }

    private String describe(String name, String version) {
        return "key '" + name + "'" + (version == null ? "" : " version " + version) + " in vault " + vaultUrl;
    }

    static String versionFromKid(String kid) {
        if (kid == null) {
            return null;
        }
        String[] parts = URI.create(kid).getPath().split("/");
        return parts.length >= 4 ? parts[3] : null;
    }

    private void requireKeyName() {
        if (keyName == null) {
            throw new ConfigException(AzureKeyVaultConfig.KEY_NAME, null, "required to encrypt with Azure Key Vault");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the Azure Key Vault provider is closed");
        }
    }

    @Override
    public String description() {
        return "Azure Key Vault " + (keyName == null ? "keys" : "key '" + keyName + "'") + " in " + vaultUrl;
    }

    /** Logical operations sent to Key Vault (getKey, wrapKey, unwrapKey), not counting SDK retries. */
    @Override
    public long remoteCalls() {
        return calls.get();
    }

    /** Times Key Vault rejected a token and the credential was rebuilt. */
    public long credentialRefreshes() {
        return credentialRefreshes.get();
    }

    /** HTTP requests sent to Key Vault, including retries and authentication challenges. */
    public long httpRequests() {
        return httpRequests.get();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (resolvedVersions) {
            resolvedVersions.clear();
        }
        lastResolved = null;
        // The JDK HttpClient behind the SDK client has no close() before Java 21; its idle connections and
        // selector thread end when it becomes unreachable.
    }

    @Override
    public String toString() {
        return "AzureKeyVaultKeyProvider[" + description() + "]";
    }

    /**
     * Counts every HTTP request the SDK sends, retries included, and drops the Content-Length header that
     * the JDK HTTP client computes itself (and warns about on every request otherwise).
     */
    static final class RequestCounter implements HttpPipelinePolicy {
        private final AtomicLong counter;

        RequestCounter(AtomicLong counter) {
            this.counter = counter;
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            counter.incrementAndGet();
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            counter.incrementAndGet();
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    }
}
