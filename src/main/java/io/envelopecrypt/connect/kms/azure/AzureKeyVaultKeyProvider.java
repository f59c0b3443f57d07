package io.envelopecrypt.connect.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.RetryOptions;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;

import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;
import io.envelopecrypt.connect.kms.WrappedKey;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Key-encryption keys in Azure Key Vault: RSA keys wrap data keys with RSA-OAEP-256 (or RSA-OAEP).
 *
 * <p>Wrapping: the version comes from {@link KeyVersionResolver}, and the data key is wrapped either locally
 * with that version's public key (default) or by Key Vault's wrapKey. Unwrapping is always done by Key Vault,
 * and only for keys in the configured vault: the key id in a record never decides where the worker's token
 * is sent. Calls, retries and credential refresh are {@link KeyVaultClients}'.
 */
public final class AzureKeyVaultKeyProvider implements KeyEncryptionKeyProvider {
    private static final Logger log = LoggerFactory.getLogger(AzureKeyVaultKeyProvider.class);

    private final String vaultUrl;
    private final URI vaultUri;
    private final String keyName;
    private final String pinnedVersion;
    private final String wrapAlgorithm;
    private final boolean wrapLocally;
    /** Keys whose data keys may be unwrapped: names, name/version pairs, or "*". */
    private final java.util.Set<String> keysAllowed;
    private final KeyVaultClients clients;
    private final KeyVersionResolver versions;
    /** Null unless azure.keyvault.signing.key.name is set. */
    private final DataKeySigning signing;
    private final long keyRecheckMs;
    private final long keyFallbackMaxMs;
    private final Clock clock;
    private volatile boolean closed;

    AzureKeyVaultKeyProvider(AzureKeyVaultConfig config, Supplier<TokenCredential> credentials, HttpClient httpClient) {
        this(config, credentials, httpClient, Clock.systemUTC());
    }

    /** With a clock for the key-state re-check and the outage fallback limit (tests). */
    AzureKeyVaultKeyProvider(AzureKeyVaultConfig config, Supplier<TokenCredential> credentials, HttpClient httpClient,
                             Clock clock) {
        this.vaultUrl = config.vaultUrl();
        this.vaultUri = URI.create(vaultUrl);
        this.keyRecheckMs = config.keyRecheckIntervalMs();
        this.keyFallbackMaxMs = config.keyFallbackMaxMs();
        this.clock = clock;
        this.keyName = config.keyName();
        this.pinnedVersion = config.keyVersion();
        this.wrapAlgorithm = config.wrapAlgorithm();
        this.wrapLocally = config.wrapLocally();
        this.keysAllowed = config.keysAllowed();
        if (keysAllowed.contains(AzureKeyVaultConfig.ANY_KEY)) {
            log.warn("{}=* : data keys wrapped by any key in {} are unwrapped", AzureKeyVaultConfig.KEYS_ALLOWED, vaultUrl);
        }
        if (pinnedVersion != null && keyName == null) {
            throw new ConfigException(AzureKeyVaultConfig.KEY_VERSION, pinnedVersion, "needs " + AzureKeyVaultConfig.KEY_NAME);
        }
        boolean challengeVerification = config.challengeResourceVerification();
        this.clients = new KeyVaultClients(vaultUrl, credentials, httpClient, AzureTransport.retryOptions(config),
                challengeVerification);
        this.versions = new KeyVersionResolver(clients, vaultUrl, keyName, pinnedVersion, wrapLocally,
                config.keyRecheckIntervalMs(), config.keyFallbackMaxMs(), clock);
        if (config.signingKeyName() != null && config.signingKeyName().equalsIgnoreCase(keyName)) {
            throw new ConfigException(AzureKeyVaultConfig.SIGNING_KEY_NAME, config.signingKeyName(),
                    "must name a key of its own, not the key that wraps data keys");
        }
        this.signing = config.signingKeyName() == null ? null
                : new DataKeySigning(clients, vaultUrl, config.signingKeyName(), clock);
        if (!challengeVerification) {
            log.warn("{}=false: the vault's authentication challenge is not checked against {}; use this only with a "
                    + "test double or emulator", AzureKeyVaultConfig.CHALLENGE_RESOURCE_VERIFICATION, vaultUri.getHost());
        } else if (!isAzureVaultHost(vaultUri.getHost())) {
            log.info("Key Vault host {} is not an Azure Key Vault domain; the Azure SDK refuses its challenge unless it "
                    + "names a matching resource ({} turns the check off for test doubles)", vaultUri.getHost(),
                    AzureKeyVaultConfig.CHALLENGE_RESOURCE_VERIFICATION);
        }
    }

    /** The same vault, clients and signing key, wrapping with the key {@code name}'s current version. */
    private AzureKeyVaultKeyProvider(AzureKeyVaultKeyProvider parent, String name) {
        this.vaultUrl = parent.vaultUrl;
        this.vaultUri = parent.vaultUri;
        this.keyName = name;
        this.pinnedVersion = null;
        this.wrapAlgorithm = parent.wrapAlgorithm;
        this.wrapLocally = parent.wrapLocally;
        this.keysAllowed = java.util.Set.of(name);
        this.clients = parent.clients;
        this.signing = parent.signing;
        this.keyRecheckMs = parent.keyRecheckMs;
        this.keyFallbackMaxMs = parent.keyFallbackMaxMs;
        this.clock = parent.clock;
        this.versions = new KeyVersionResolver(clients, vaultUrl, name, null, wrapLocally, keyRecheckMs, keyFallbackMaxMs,
                clock);
    }

    /**
     * A provider wrapping with the key {@code name} of this vault (per-record key selection), sharing this one's
     * clients, credential and signing key. A pinned version ({@code azure.keyvault.key.version}) cannot apply to it.
     */
    @Override
    public KeyEncryptionKeyProvider forKey(String name) {
        ensureOpen();
        if (!KeyVaultKeyId.NAME.matcher(name).matches()) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "A selected key name is not a Key Vault key name "
                    + "(1-127 letters, digits or dashes)");
        }
        if (pinnedVersion != null) {
            throw new ConfigException(AzureKeyVaultConfig.KEY_VERSION, pinnedVersion,
                    "cannot be combined with a per-record key name (kek.key.template)");
        }
        return new AzureKeyVaultKeyProvider(this, name);
    }

    /** Builds the provider with its own HTTP client, retry policy and credential. */
    public static AzureKeyVaultKeyProvider create(AzureKeyVaultConfig config) {
        return create(config, Clock.systemUTC());
    }

    static AzureKeyVaultKeyProvider create(AzureKeyVaultConfig config, Clock clock) {
        HttpClient http = AzureTransport.httpClient(config);
        RetryOptions retry = AzureTransport.retryOptions(config);
        return new AzureKeyVaultKeyProvider(config,
                () -> AzureCredentials.create(config, http, retry, new KeyVaultClients.RequestCounter(new AtomicLong())), http,
                clock);
    }

    static boolean isAzureVaultHost(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return h.endsWith(".vault.azure.net") || h.endsWith(".vault.azure.cn") || h.endsWith(".vault.usgovcloudapi.net")
                || h.endsWith(".vault.microsoftazure.de") || h.endsWith(".managedhsm.azure.net")
                || h.endsWith(".managedhsm.azure.cn") || h.endsWith(".managedhsm.usgovcloudapi.net");
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        ensureOpen();
        requireKeyName();
        KeyVersionResolver.ResolvedKey key = versions.forWrap();
        String keyId = keyId(keyName, key.version());
        byte[] wrapped;
        if (wrapLocally) {
            wrapped = wrapWithPublicKey(key.publicKey(), dataKey, keyId);
        } else {
            wrapped = remoteWrap(key.version(), dataKey);
        }
        return new WrappedKey(keyId, wrapAlgorithm, wrapped);
    }

    private byte[] remoteWrap(String version, byte[] dataKey) {
        return clients.call("wrapKey", versions.describe(version), c -> c.crypto(keyName, version)
                .wrapKey(KeyWrapAlgorithm.fromString(wrapAlgorithm), dataKey).getEncryptedKey());
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

    @Override
    public boolean requiresSignedDataKeys() {
        return signing != null;
    }

    @Override
    public boolean canUnwrap(String keyId) {
        if (!KeyVaultKeyId.looksLikeKeyId(keyId)) {
            return false;
        }
        try {
            allowedKeyId(keyId);
            return true;
        } catch (KmsAccessException e) {
            return false;
        }
    }

    @Override
    public DataKeySignature signDataKey(byte[] commitment) {
        ensureOpen();
        return signing == null ? null : signing.sign(commitment);
    }

    @Override
    public void verifyDataKey(DataKeySignature signature, byte[] commitment) {
        ensureOpen();
        if (signing != null) {
            signing.verify(signature, commitment);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrappedKey) {
        ensureOpen();
        String algorithm = wrappedKey.algorithm().toUpperCase(Locale.ROOT);
        if (!AzureKeyVaultConfig.ALG_RSA_OAEP_256.equals(algorithm) && !AzureKeyVaultConfig.ALG_RSA_OAEP.equals(algorithm)) {
            throw new KmsAccessException(Reason.INVALID_WRAPPED_KEY, "Azure Key Vault keys unwrap RSA-OAEP-256 and "
                    + "RSA-OAEP data keys; the envelope names another algorithm");
        }
        KeyVaultKeyId id = allowedKeyId(wrappedKey.keyId());
        return clients.call("unwrapKey", "key '" + id.name() + "' version " + id.version() + " in vault " + vaultUrl,
                c -> c.crypto(id.name(), id.version()).unwrapKey(KeyWrapAlgorithm.fromString(algorithm), wrappedKey.wrapped()).getKey());
    }

    /**
     * Parses an envelope's key id, refusing keys outside the configured vault and keys (or versions) that are not
     * allowed ({@code azure.keyvault.key.name}, {@code azure.keyvault.keys.allowed}); nothing is sent for them.
     */
    KeyVaultKeyId allowedKeyId(String keyId) {
        KeyVaultKeyId id = KeyVaultKeyId.parse(keyId);
        if (!id.isIn(vaultUri)) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's data key was wrapped by a key in vault "
                    + id.vault() + ", not in the configured vault " + vaultUrl + "; it is not unwrapped");
        }
        if (!isAllowed(id)) {
            throw new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's data key was wrapped by key '" + id.name()
                    + "' version " + id.version() + ", but this transform may only use keys " + keysAllowed);
        }
        return id;
    }

    private boolean isAllowed(KeyVaultKeyId id) {
        for (String allowed : keysAllowed) {
            int slash = allowed.indexOf('/');
            boolean prefix = allowed.length() > 1 && allowed.endsWith(AzureKeyVaultConfig.ANY_KEY);
            if (AzureKeyVaultConfig.ANY_KEY.equals(allowed)
                    || prefix && id.name().regionMatches(true, 0, allowed, 0, allowed.length() - 1)
                    || slash < 0 && !prefix && allowed.equalsIgnoreCase(id.name())
                    || slash > 0 && allowed.substring(0, slash).equalsIgnoreCase(id.name())
                    && allowed.substring(slash + 1).equals(id.version())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void verify(KeyOperation operation) {
        if (operation == KeyOperation.WRAP) {
            requireKeyName();
            KeyVersionResolver.ResolvedKey key = versions.fetchConfigured();
            if (!wrapLocally) {
                byte[] probe = new byte[32];
                new SecureRandom().nextBytes(probe);
                remoteWrap(key.version(), probe);
            }
            log.info("Verified that {} can wrap data keys", versions.describe(key.version()));
        } else if (keyName != null) {
            String version = pinnedVersion;
            if (version == null) {
                version = clients.call("getKey", versions.describe(null), c -> c.keyClient.getKey(keyName)).getProperties().getVersion();
            }
            // Unwrapping garbage proves the permission without any key material: Key Vault checks access
            // (403) and existence (404) before it tries to decrypt (400).
            byte[] garbage = new byte[256];
            new SecureRandom().nextBytes(garbage);
            String probeVersion = version;
            try {
                clients.call("unwrapKey", versions.describe(probeVersion), c -> c.crypto(keyName, probeVersion)
                        .unwrapKey(KeyWrapAlgorithm.fromString(wrapAlgorithm), garbage));
            } catch (KmsAccessException e) {
                if (e.reason() != Reason.INVALID_WRAPPED_KEY) {
                    throw e;
                }
            }
            log.info("Verified that {} can unwrap data keys", versions.describe(version));
        }
    }

    String keyId(String name, String version) {
        return vaultUrl + "/keys/" + name + "/" + version;
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
        return clients.calls();
    }

    /** Times Key Vault rejected a token and the credential was rebuilt. */
    public long credentialRefreshes() {
        return clients.credentialRefreshes();
    }

    /** HTTP requests sent to Key Vault, including retries and authentication challenges. */
    public long httpRequests() {
        return clients.httpRequests();
    }

    @Override
    public void close() {
        closed = true;
        versions.clear();
        // The JDK HttpClient behind the SDK client has no close() before Java 21; its idle connections and
        // selector thread end when it becomes unreachable.
    }

    @Override
    public String toString() {
        return "AzureKeyVaultKeyProvider[" + description() + "]";
    }
}
