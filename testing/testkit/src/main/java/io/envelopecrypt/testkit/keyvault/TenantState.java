package io.envelopecrypt.testkit.keyvault;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the tenant and the vault hold: registered applications, keys and their versions, the permission map,
 * the clock, and counters of what was served. Shared by the Entra and Key Vault endpoints and the controls.
 */
final class TenantState {
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Map<String, Map<String, KeyVersion>> keys = new ConcurrentHashMap<>();
    private final Map<String, String> latestVersion = new ConcurrentHashMap<>();
    /** Soft-deleted keys (all versions), by name, with their deletion time: recoverable until purged. */
    private final Map<String, Deleted> deletedKeys = new ConcurrentHashMap<>();

    record Deleted(Map<String, KeyVersion> versions, String latest, long deletedAt) {
    }
    private final Map<String, Set<String>> permissions = new ConcurrentHashMap<>();
    private final AtomicLong clockOffsetSeconds = new AtomicLong();
    private final Map<String, AtomicLong> operations = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> operationsByPrincipal = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> tokensIssued = new ConcurrentHashMap<>();
    private volatile String managedIdentityClientId;

    /** A registered application (service principal). */
    record App(String clientId, String secret, X509Certificate certificate, boolean federated) {
    }

    /** One version of an RSA key. */
    static final class KeyVersion {
        final String name;
        final String version;
        final KeyPair pair;
        final long created;
        volatile List<String> keyOps;
        volatile boolean enabled = true;
        volatile Long notBefore;
        volatile Long expires;

        KeyVersion(String name, String version, KeyPair pair, List<String> keyOps, long created) {
            this.name = name;
            this.version = version;
            this.pair = pair;
            this.keyOps = keyOps;
            this.created = created;
        }
    }

    // ---- clock

    /** The tenant's time in epoch seconds: the machine's, moved by the test. */
    long now() {
        return System.currentTimeMillis() / 1000 + clockOffsetSeconds.get();
    }

    void advanceClock(long seconds) {
        clockOffsetSeconds.addAndGet(seconds);
    }

    void setClockOffset(long seconds) {
        clockOffsetSeconds.set(seconds);
    }

    long clockOffset() {
        return clockOffsetSeconds.get();
    }

    // ---- applications

    String register(String secret, X509Certificate certificate, boolean federated) {
        String clientId = UUID.randomUUID().toString();
        apps.put(clientId, new App(clientId, secret, certificate, federated));
        return clientId;
    }

    App app(String clientId) {
        return clientId == null ? null : apps.get(clientId);
    }

    void setManagedIdentity(String clientId) {
        apps.putIfAbsent(clientId, new App(clientId, null, null, false));
        managedIdentityClientId = clientId;
    }

    String managedIdentity() {
        return managedIdentityClientId;
    }

    void countToken(String clientId) {
        tokensIssued.computeIfAbsent(clientId, k -> new AtomicLong()).incrementAndGet();
    }

    long tokensIssued(String clientId) {
        AtomicLong n = tokensIssued.get(clientId);
        return n == null ? 0 : n.get();
    }

    // ---- keys

    String createRsaKey(String name, int bits, List<String> keyOps) {
        String version = UUID.randomUUID().toString().replace("-", "");
        keys.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .put(version, new KeyVersion(name, version, rsa(bits), new ArrayList<>(keyOps), now()));
        latestVersion.put(name, version);
        return version;
    }

    /** Soft-deletes every version of a key, as Key Vault does with soft delete on; null when there is no such key. */
    Deleted deleteKey(String name) {
        Map<String, KeyVersion> versions = keys.remove(name);
        if (versions == null) {
            return null;
        }
        Deleted d = new Deleted(versions, latestVersion.remove(name), now());
        deletedKeys.put(name, d);
        return d;
    }

    Deleted deleted(String name) {
        return deletedKeys.get(name);
    }

    /** Purges a soft-deleted key for good; false when there is no such deleted key. */
    boolean purgeDeletedKey(String name) {
        return deletedKeys.remove(name) != null;
    }

    /** Recovers a soft-deleted key with all its versions; false when there is no such deleted key. */
    boolean recoverDeletedKey(String name) {
        Deleted d = deletedKeys.remove(name);
        if (d == null) {
            return false;
        }
        keys.put(name, d.versions());
        latestVersion.put(name, d.latest());
        return true;
    }

    /** A key version (the latest when {@code version} is null or empty), or null. */
    KeyVersion find(String name, String version) {
        Map<String, KeyVersion> versions = keys.get(name);
        String v = version == null || version.isEmpty() ? latestVersion.get(name) : version;
        return versions == null || v == null ? null : versions.get(v);
    }

    /** A key version that must exist (test set-up). */
    KeyVersion key(String name, String version) {
        KeyVersion k = find(name, version);
        if (k == null) {
            throw new IllegalArgumentException("no key " + name + "/" + version);
        }
        return k;
    }

    String latestVersion(String name) {
        return latestVersion.get(name);
    }

    // ---- permissions and operations

    void setPermissions(Map<String, List<String>> byClientId) {
        permissions.clear();
        byClientId.forEach((k, v) -> permissions.put(k, Set.copyOf(v)));
    }

    void grant(String clientId, List<String> operations) {
        permissions.put(clientId, Set.copyOf(operations));
    }

    /**
     * Whether the permission map lets {@code principal} do {@code operation} (e.g. {@code keys/get}). As in Azure, a
     * principal has no data-plane access until it is granted some: nothing is allowed by default.
     */
    boolean allows(String principal, String operation) {
        Set<String> allowed = permissions.get(principal);
        return allowed != null && (allowed.contains(operation) || allowed.contains("*"));
    }

    void countOperation(String principal, String operation) {
        operations.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
        operationsByPrincipal.computeIfAbsent(principal + " " + operation, k -> new AtomicLong()).incrementAndGet();
    }

    long operationCount(String principal, String operation) {
        AtomicLong n = operationsByPrincipal.get(principal + " " + operation);
        return n == null ? 0 : n.get();
    }

    long operationCount(String operation) {
        AtomicLong n = operations.get(operation);
        return n == null ? 0 : n.get();
    }

    Map<String, Long> operationCounts() {
        Map<String, Long> out = new HashMap<>();
        operations.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(bits);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
