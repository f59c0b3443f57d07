package io.envelopecrypt.testkit.keyvault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;

/**
 * <b>A test double</b> of Azure Key Vault and Microsoft Entra ID, used because the Go module proxy refuses
 * the open-source emulators in this environment. It speaks enough of both real protocols for the real Azure
 * SDK to run unmodified against it, over HTTPS:
 *
 * <ul>
 *   <li>Entra: {@code POST /{tenant}/oauth2/v2.0/token} (client credentials with a client secret or a
 *       client assertion: certificate-signed or federated/workload identity), the App Service managed
 *       identity endpoint, OpenID metadata and JWKS. Tokens are RS256 JWTs.</li>
 *   <li>Key Vault: the bearer challenge ({@code 401} with {@code WWW-Authenticate}), token validation
 *       (signature, issuer, audience, expiry against a controllable clock), and the key operations the
 *       plugin uses: get, create, update (enable/disable, expiry, key_ops), wrapkey and unwrapkey with
 *       RSA-OAEP-256 and RSA-OAEP.</li>
 *   <li>The emulators' controls, as Java methods and at {@code /_emulator/faults}, {@code /permissions}
 *       and {@code /clock}: 429 throttling with Retry-After, 500s, an outage switch, a per-principal
 *       permission map, and clock offsets. Faults fire before authentication, as in the emulator.</li>
 * </ul>
 *
 * Two listeners on loopback, each on a free port: one for Entra ({@link EntraEndpoints}), one for the vault
 * ({@link VaultEndpoints}); {@link TenantState} holds what both see, {@link Faults} the injected failures.
 */
public final class KeyVaultTestDouble implements AutoCloseable {
    public static final String TENANT_ID = "6f89cf12-978b-4d23-ac18-9ef0c127cf87";
    public static final String VAULT_RESOURCE = "https://vault.azure.net";
    private static final Logger log = LoggerFactory.getLogger(KeyVaultTestDouble.class);

    private final TestCertificates.Issued tls;
    private final HttpsServer entra;
    private final HttpsServer vault;
    private final ExecutorService executor;
    private final String identityHeader = UUID.randomUUID().toString();
    private final TenantState state = new TenantState();
    private final Faults faults = new Faults();
    private final ControlEndpoints controls = new ControlEndpoints(state, faults);
    private final EntraEndpoints entraEndpoints;
    private final VaultEndpoints vaultEndpoints;

    /** The name the vault is reached under (its URL's host); it resolves to 127.0.0.1. */
    private final String vaultHost;

    private KeyVaultTestDouble(String vaultHost) throws IOException {
        this.vaultHost = vaultHost;
        this.tls = TestCertificates.selfSigned("localhost", vaultHost);
        KeyPair tokenSigningKey = TenantState.rsa(2048);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "keyvault-test-double");
            t.setDaemon(true);
            return t;
        });
        this.entra = server();
        this.vault = server();
        this.entraEndpoints = new EntraEndpoints(state, authorityHost(), tokenSigningKey, TenantState.rsa(2048), identityHeader);
        this.vaultEndpoints = new VaultEndpoints(state, vaultUrl(), authorityHost(), entraEndpoints.issuer(),
                tokenSigningKey.getPublic());
        entra.createContext("/", ex -> serve(ex, entraEndpoints::handle));
        vault.createContext("/", ex -> serve(ex, vaultEndpoints::handle));
        entra.start();
        vault.start();
    }

    /** Starts both listeners on free loopback ports; the vault's URL names localhost. */
    public static KeyVaultTestDouble start() {
        return start("localhost");
    }

    /**
     * As {@link #start()}, with the vault reached as {@code vaultHost}, e.g. {@code tests.vault.azure.net}, which the
     * JVM must resolve to 127.0.0.1 (with {@code -Djdk.net.hosts.file}); the TLS certificate names it. Under an Azure
     * Key Vault domain, the Azure SDK's challenge-resource verification passes as it does against Azure.
     */
    public static KeyVaultTestDouble start(String vaultHost) {
        try {
            KeyVaultTestDouble d = new KeyVaultTestDouble(vaultHost);
            log.info("Key Vault test double: vault {} authority {}", d.vaultUrl(), d.authorityHost());
            return d;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Key Vault test double", e);
        }
    }

    private HttpsServer server() throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        s.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        s.setExecutor(executor);
        return s;
    }

    /** A request handler of one listener. */
    private interface Endpoint {
        void handle(HttpExchange ex) throws IOException;
    }

    /** Faults first (as in the emulators), then the controls or the listener's own endpoints. */
    private void serve(HttpExchange ex, Endpoint endpoint) {
        try {
            if (faults.inject(ex)) {
                return;
            }
            if (ex.getRequestURI().getPath().startsWith("/_emulator/")) {
                controls.handle(ex);
            } else {
                endpoint.handle(ex);
            }
        } catch (Exception e) {
            log.warn("Key Vault test double failed a request", e);
            try {
                Exchanges.error(ex, 500, "InternalServerError", "test double error: " + e.getClass().getSimpleName());
            } catch (IOException ignored) {
                ex.close();
            }
        }
    }

    // ---------------------------------------------------------------- addresses

    /** The vault URL, e.g. https://localhost:12345 (the host maps to the vault, as in the emulator). */
    public String vaultUrl() {
        return "https://" + vaultHost + ":" + vault.getAddress().getPort();
    }

    /** The Entra authority host, e.g. https://localhost:12346. */
    public String authorityHost() {
        return "https://localhost:" + entra.getAddress().getPort();
    }

    /** The App Service managed identity endpoint (IDENTITY_ENDPOINT). */
    public String managedIdentityEndpoint() {
        return authorityHost() + "/msi/token";
    }

    /** The secret for the managed identity endpoint (IDENTITY_HEADER). */
    public String managedIdentityHeader() {
        return identityHeader;
    }

    /** The CA certificate to trust, as PEM. Both listeners use it. */
    public String caCertificatePem() {
        return tls.certificatePem();
    }

    public Path writeCaCertificate(Path file) throws IOException {
        return tls.writeCertificatePem(file);
    }

    // ---------------------------------------------------------------- principals

    /** Registers an application with a client secret; returns its client id. */
    public String registerApp(String clientSecret) {
        return state.register(clientSecret, null, false);
    }

    /** Registers an application that authenticates with the certificate; returns its client id. */
    public String registerCertificateApp(X509Certificate certificate) {
        return state.register(null, certificate, false);
    }

    /** Registers an application with a federated credential (workload identity); returns its client id. */
    public String registerFederatedApp() {
        return state.register(null, null, true);
    }

    /** A federated token, as Kubernetes projects it for a workload, for a federated app. */
    public String issueFederatedToken(String clientId) {
        return entraEndpoints.federatedToken(clientId);
    }

    /** Makes the managed identity endpoint issue tokens for this client id. */
    public void setManagedIdentity(String clientId) {
        state.setManagedIdentity(clientId);
    }

    // ---------------------------------------------------------------- keys

    /** Creates an RSA key (or a new version of it) and returns the version. */
    public String createRsaKey(String name, int bits, List<String> keyOps) {
        return state.createRsaKey(name, bits, keyOps);
    }

    public String createRsaKey(String name) {
        return createRsaKey(name, 2048, List.of("wrapKey", "unwrapKey", "encrypt", "decrypt"));
    }

    /** Soft-deletes a key (every version), as {@code az keyvault key delete} does; its operations then answer 404. */
    public void deleteKey(String name) {
        if (state.deleteKey(name) == null) {
            throw new IllegalArgumentException("no key " + name);
        }
    }

    /** Purges a soft-deleted key for good ({@code az keyvault key purge}). */
    public void purgeDeletedKey(String name) {
        if (!state.purgeDeletedKey(name)) {
            throw new IllegalArgumentException("no deleted key " + name);
        }
    }

    /** Whether a soft-deleted key could still be recovered. */
    public boolean isRecoverable(String name) {
        return state.deleted(name) != null;
    }

    public void setKeyEnabled(String name, String version, boolean enabled) {
        state.key(name, version).enabled = enabled;
    }

    public void setKeyExpiry(String name, String version, Long notBeforeEpochSeconds, Long expiresEpochSeconds) {
        TenantState.KeyVersion k = state.key(name, version);
        k.notBefore = notBeforeEpochSeconds;
        k.expires = expiresEpochSeconds;
    }

    public void setKeyOperations(String name, String version, List<String> keyOps) {
        state.key(name, version).keyOps = List.copyOf(keyOps);
    }

    /**
     * Unwraps with a key's private key, bypassing HTTP and authorization: lets a test learn the data keys
     * of envelopes so that it can search logs for them. Test use only.
     */
    public byte[] unwrapForTest(String name, String version, String algorithm, byte[] wrapped) {
        try {
            OAEPParameterSpec oaep = VaultEndpoints.oaep("RSA-OAEP".equals(algorithm) ? algorithm : "RSA-OAEP-256");
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.DECRYPT_MODE, state.key(name, version).pair.getPrivate(), oaep);
            return c.doFinal(wrapped);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot unwrap", e);
        }
    }

    public String latestVersion(String name) {
        return state.latestVersion(name);
    }

    // ---------------------------------------------------------------- controls

    /** The next {@code n} requests to either listener get 429 with Retry-After: 1. */
    public void throttleNextRequests(int n) {
        faults.throttleNext(n);
    }

    /** The next {@code n} requests to either listener get 500. */
    public void rejectNextRequests(int n) {
        faults.rejectNext(n);
    }

    /** While set, every request gets 503 (an outage that outlasts any retry budget). */
    public void setUnavailable(boolean down) {
        faults.setUnavailable(down);
    }

    /**
     * Replaces the permission map: each principal (client id) may do exactly the listed operations, such as
     * {@code keys/get}, {@code keys/wrapkey}, {@code keys/unwrapkey}, {@code keys/sign} ({@code *} for all). As in
     * Azure, principals not in the map are denied everything (403); an empty map denies everyone.
     */
    public void setPermissions(Map<String, List<String>> byClientId) {
        state.setPermissions(byClientId);
    }

    /** Grants one principal exactly {@code operations}, leaving the others' permissions as they are. */
    public void grant(String clientId, List<String> operations) {
        state.grant(clientId, operations);
    }

    /** Moves the double's clock (token and key validity) by {@code seconds}. */
    public void advanceClock(long seconds) {
        state.advanceClock(seconds);
    }

    public void resetFaults() {
        faults.reset();
    }

    /** Faults served so far with this status (429, 500 or 503): a test can check that a fault really fired. */
    public long faultsServed(int status) {
        return faults.served(status);
    }

    /** Authorized Key Vault operations served so far, e.g. {@code keys/wrapkey}. */
    public long operationCount(String operation) {
        return state.operationCount(operation);
    }

    /** Authorized operations served to one principal (client id) so far. */
    public long operationCount(String clientId, String operation) {
        return state.operationCount(clientId, operation);
    }

    public Map<String, Long> operationCounts() {
        return state.operationCounts();
    }

    /** Access tokens issued to a client id. */
    public long tokensIssued(String clientId) {
        return state.tokensIssued(clientId);
    }

    @Override
    public void close() {
        entra.stop(0);
        vault.stop(0);
        executor.shutdownNow();
    }
}
