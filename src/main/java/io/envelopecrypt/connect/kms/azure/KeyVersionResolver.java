package io.envelopecrypt.connect.kms.azure;

import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;
import io.envelopecrypt.connect.kms.KmsUnavailableException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which version of the configured key wraps new data keys: the pinned version, or the key's current version
 * looked up each time a data key is made (so a rotation in Key Vault takes effect by itself). A version is
 * checked before use (RSA, enabled, within its validity dates, allows wrapKey) and its public key is kept;
 * a pinned version is read again once its last check is older than the re-check interval, so a version disabled
 * as compromised stops new data keys within that interval. When Key Vault is unreachable and wrapping is local,
 * the last version read successfully keeps serving, for at most the fallback limit after that read.
 */
final class KeyVersionResolver {
    private static final Logger log = LoggerFactory.getLogger(KeyVersionResolver.class);

    private final KeyVaultClients clients;
    private final String vaultUrl;
    private final String keyName;
    private final String pinnedVersion;
    private final boolean keepPublicKey;
    private final long recheckMillis;
    private final long fallbackMaxMillis;
    private final Clock clock;
    private final Map<String, ResolvedKey> resolvedVersions = new LinkedHashMap<>();
    private volatile ResolvedKey lastResolved;

    /** A resolved key version, with its public key when wrapping is local, and when it was last read. */
    record ResolvedKey(String version, PublicKey publicKey, long checkedAtMillis) {
    }

    KeyVersionResolver(KeyVaultClients clients, String vaultUrl, String keyName, String pinnedVersion, boolean keepPublicKey,
                       long recheckMillis, long fallbackMaxMillis, Clock clock) {
        this.clients = clients;
        this.vaultUrl = vaultUrl;
        this.keyName = keyName;
        this.pinnedVersion = pinnedVersion;
        this.keepPublicKey = keepPublicKey;
        this.recheckMillis = recheckMillis;
        this.fallbackMaxMillis = fallbackMaxMillis;
        this.clock = clock;
    }

    /** The version to wrap the next data key with. */
    ResolvedKey forWrap() {
        long now = clock.millis();
        if (pinnedVersion != null) {
            ResolvedKey known;
            synchronized (resolvedVersions) {
                known = resolvedVersions.get(pinnedVersion);
            }
            if (known != null && now - known.checkedAtMillis() < recheckMillis) {
                return known;
            }
            return fetchOrFallBack(pinnedVersion, known, now);
        }
        return fetchOrFallBack(null, lastResolved, now);
    }

    /**
     * Reads the version (null: the current one). Only unreachability falls back, and only to a version read
     * successfully less than the fallback limit ago; a disabled, expired or unreadable key is a permanent error.
     */
    private ResolvedKey fetchOrFallBack(String version, ResolvedKey last, long now) {
        try {
            return fetch(version);
        } catch (KmsUnavailableException e) {
            if (keepPublicKey && last != null && now - last.checkedAtMillis() < fallbackMaxMillis) {
                log.warn("Key Vault is unreachable; wrapping the new data key with version {} of key '{}', last read {} s "
                        + "ago, until it is reachable again or {} s have passed ({})", last.version(), keyName,
                        (now - last.checkedAtMillis()) / 1000, fallbackMaxMillis / 1000, e.getMessage());
                return last;
            }
            throw e;
        }
    }

    /** GETs the pinned version, or the current one, and checks that it can wrap. */
    ResolvedKey fetchConfigured() {
        return fetch(pinnedVersion);
    }

    /** GETs a key (version null = current), checks that it can wrap, and remembers its public key. */
    private ResolvedKey fetch(String version) {
        KeyVaultKey key = clients.call("getKey", describe(version),
                c -> version == null ? c.keyClient.getKey(keyName) : c.keyClient.getKey(keyName, version));
        String resolvedVersion = versionOf(key);
        checkUsable(key, describe(resolvedVersion), KeyOperation.WRAP_KEY);
        PublicKey publicKey = null;
        if (keepPublicKey) {
            try {
                publicKey = key.getKey().toRsa(false).getPublic();
            } catch (RuntimeException e) {
                throw new KmsAccessException(Reason.KEY_NOT_USABLE, "Key " + describe(resolvedVersion)
                        + " has no usable RSA public key (" + e.getClass().getSimpleName() + ")");
            }
        }
        ResolvedKey resolved = new ResolvedKey(resolvedVersion, publicKey, clock.millis());
        synchronized (resolvedVersions) {
            ResolvedKey known = resolvedVersions.put(resolvedVersion, resolved);
            if (known == null && lastResolved != null && !resolvedVersion.equals(lastResolved.version())) {
                log.info("Key '{}' in {} moved to version {}: new data keys are wrapped with it",
                        keyName, vaultUrl, resolvedVersion);
            }
        }
        lastResolved = resolved;
        return resolved;
    }

    static void checkUsable(KeyVaultKey key, String description, KeyOperation operation) {
        String what = "Key " + description;
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
        List<KeyOperation> ops = key.getKeyOperations();
        if (ops != null && !ops.isEmpty() && !ops.contains(operation)) {
            throw new KmsAccessException(Reason.KEY_NOT_USABLE, what + " does not allow the " + operation
                    + " operation (its key_ops are " + ops + ")");
        }
    }

    /** The version a fetched key names: its properties' version, else the last segment of its kid. */
    static String versionOf(KeyVaultKey key) {
        String version = key.getProperties().getVersion();
        return version == null || version.isEmpty() ? versionFromKid(key.getId()) : version;
    }

    static String versionFromKid(String kid) {
        if (kid == null) {
            return null;
        }
        String[] parts = URI.create(kid).getPath().split("/");
        return parts.length >= 4 ? parts[3] : null;
    }

    String describe(String version) {
        return "key '" + keyName + "'" + (version == null ? "" : " version " + version) + " in vault " + vaultUrl;
    }

    void clear() {
        synchronized (resolvedVersions) {
            resolvedVersions.clear();
        }
        lastResolved = null;
    }
}
