package io.envelopecrypt.testkit.keyvault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

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
 * Two listeners on loopback, each on a free port: one for Entra, one for the vault.
 */
public final class KeyVaultTestDouble implements AutoCloseable {
    public static final String TENANT_ID = "6f89cf12-978b-4d23-ac18-9ef0c127cf87";
    public static final String VAULT_RESOURCE = "https://vault.azure.net";
    private static final Logger log = LoggerFactory.getLogger(KeyVaultTestDouble.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final long TOKEN_LIFETIME_SECONDS = 3600;

    private final TestCertificates.Issued tls;
    private final KeyPair tokenSigningKey;
    private final String tokenKeyId = "double-signing-key";
    private final KeyPair federationIssuerKey;
    private final HttpsServer entra;
    private final HttpsServer vault;
    private final ExecutorService executor;

    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Map<String, Map<String, KeyVersion>> keys = new ConcurrentHashMap<>();
    private final Map<String, String> latestVersion = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> permissions = new ConcurrentHashMap<>();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger rejectNext = new AtomicInteger();
    private volatile boolean unavailable;
    private final AtomicLong clockOffsetSeconds = new AtomicLong();
    private final Map<String, AtomicLong> operations = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> tokensIssued = new ConcurrentHashMap<>();
    private volatile String managedIdentityClientId;
    private final String identityHeader = UUID.randomUUID().toString();

    /** A registered application (service principal). */
    private record App(String clientId, String secret, X509Certificate certificate, boolean federated) {
    }

    private static final class KeyVersion {
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

    private KeyVaultTestDouble() throws IOException {
        this.tls = TestCertificates.selfSigned("localhost");
        this.tokenSigningKey = rsa(2048);
        this.federationIssuerKey = rsa(2048);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "keyvault-test-double");
            t.setDaemon(true);
            return t;
        });
        this.entra = server();
        this.vault = server();
        entra.createContext("/", this::handleEntra);
        vault.createContext("/", this::handleVault);
        entra.start();
        vault.start();
    }

    /** Starts both listeners on free loopback ports. */
    public static KeyVaultTestDouble start() {
        try {
            KeyVaultTestDouble d = new KeyVaultTestDouble();
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

    // ---------------------------------------------------------------- addresses

    /** The vault URL, e.g. https://localhost:12345 (the host maps to the vault, as in the emulator). */
    public String vaultUrl() {
        return "https://localhost:" + vault.getAddress().getPort();
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
        String clientId = UUID.randomUUID().toString();
        apps.put(clientId, new App(clientId, clientSecret, null, false));
        return clientId;
    }

    /** Registers an application that authenticates with the certificate; returns its client id. */
    public String registerCertificateApp(X509Certificate certificate) {
        String clientId = UUID.randomUUID().toString();
        apps.put(clientId, new App(clientId, null, certificate, false));
        return clientId;
    }

    /** Registers an application with a federated credential (workload identity); returns its client id. */
    public String registerFederatedApp() {
        String clientId = UUID.randomUUID().toString();
        apps.put(clientId, new App(clientId, null, null, true));
        return clientId;
    }

    /** A federated token, as Kubernetes projects it for a workload, for a federated app. */
    public String issueFederatedToken(String clientId) {
        long now = now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://kubernetes.test.double");
        claims.put("sub", "system:serviceaccount:connect:" + clientId);
        claims.put("aud", "api://AzureADTokenExchange");
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        return Jwt.sign(Map.of("alg", "RS256", "typ", "JWT"), claims, federationIssuerKey.getPrivate());
    }

    /** Makes the managed identity endpoint issue tokens for this client id. */
    public void setManagedIdentity(String clientId) {
        apps.putIfAbsent(clientId, new App(clientId, null, null, false));
        managedIdentityClientId = clientId;
    }

    // ---------------------------------------------------------------- keys

    /** Creates an RSA key (or a new version of it) and returns the version. */
    public String createRsaKey(String name, int bits, List<String> keyOps) {
        String version = UUID.randomUUID().toString().replace("-", "");
        keys.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .put(version, new KeyVersion(name, version, rsa(bits), new ArrayList<>(keyOps), now()));
        latestVersion.put(name, version);
        return version;
    }

    public String createRsaKey(String name) {
        return createRsaKey(name, 2048, List.of("wrapKey", "unwrapKey", "encrypt", "decrypt"));
    }

    public void setKeyEnabled(String name, String version, boolean enabled) {
        key(name, version).enabled = enabled;
    }

    public void setKeyExpiry(String name, String version, Long notBeforeEpochSeconds, Long expiresEpochSeconds) {
        KeyVersion k = key(name, version);
        k.notBefore = notBeforeEpochSeconds;
        k.expires = expiresEpochSeconds;
    }

    public void setKeyOperations(String name, String version, List<String> keyOps) {
        key(name, version).keyOps = new ArrayList<>(keyOps);
    }

    /**
     * Unwraps with a key's private key, bypassing HTTP and authorization: lets a test learn the data keys
     * of envelopes so that it can search logs for them. Test use only.
     */
    public byte[] unwrapForTest(String name, String version, String algorithm, byte[] wrapped) {
        try {
            OAEPParameterSpec oaep = "RSA-OAEP".equals(algorithm)
                    ? new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT)
                    : new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.DECRYPT_MODE, key(name, version).pair.getPrivate(), oaep);
            return c.doFinal(wrapped);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot unwrap", e);
        }
    }

    public String latestVersion(String name) {
        return latestVersion.get(name);
    }

    private KeyVersion key(String name, String version) {
        KeyVersion k = keys.getOrDefault(name, Map.of()).get(version);
        if (k == null) {
            throw new IllegalArgumentException("no key " + name + "/" + version);
        }
        return k;
    }

    // ---------------------------------------------------------------- controls

    /** The next {@code n} requests to either listener get 429 with Retry-After: 1. */
    public void throttleNextRequests(int n) {
        throttleNext.set(n);
    }

    /** The next {@code n} requests to either listener get 500. */
    public void rejectNextRequests(int n) {
        rejectNext.set(n);
    }

    /** While set, every request gets 503 (an outage that outlasts any retry budget). */
    public void setUnavailable(boolean down) {
        unavailable = down;
    }

    /**
     * Restricts principals to operations such as {@code keys/get}, {@code keys/wrapkey},
     * {@code keys/unwrapkey}; principals not in the map keep full access. An empty map restores full access.
     */
    public void setPermissions(Map<String, List<String>> byClientId) {
        permissions.clear();
        byClientId.forEach((k, v) -> permissions.put(k, Set.copyOf(v)));
    }

    /** Moves the double's clock (token and key validity) by {@code seconds}. */
    public void advanceClock(long seconds) {
        clockOffsetSeconds.addAndGet(seconds);
    }

    public void resetFaults() {
        throttleNext.set(0);
        rejectNext.set(0);
        unavailable = false;
    }

    /** Authorized Key Vault operations served so far, e.g. {@code keys/wrapkey}. */
    public long operationCount(String operation) {
        AtomicLong n = operations.get(operation);
        return n == null ? 0 : n.get();
    }

    public Map<String, Long> operationCounts() {
        Map<String, Long> out = new HashMap<>();
        operations.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Access tokens issued to a client id. */
    public long tokensIssued(String clientId) {
        AtomicLong n = tokensIssued.get(clientId);
        return n == null ? 0 : n.get();
    }

    private long now() {
        return System.currentTimeMillis() / 1000 + clockOffsetSeconds.get();
    }

    // ---------------------------------------------------------------- HTTP plumbing

    private boolean injectFault(HttpExchange ex) throws IOException {
        if (ex.getRequestURI().getPath().startsWith("/_emulator/")) {
            return false;
        }
        if (unavailable) {
            error(ex, 503, "ServiceUnavailable", "The service is unavailable (test double outage).");
            return true;
        }
        if (throttleNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            ex.getResponseHeaders().add("Retry-After", "1");
            error(ex, 429, "Throttled", "Rate limit exceeded (test double).");
            return true;
        }
        if (rejectNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            error(ex, 500, "InternalServerError", "Injected failure (test double).");
            return true;
        }
        return false;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode err = body.putObject("error");
        err.put("code", code);
        err.put("message", message);
        send(ex, status, body);
    }

    private static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    private static Map<String, String> form(String s) {
        Map<String, String> out = new HashMap<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        for (String pair : s.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    // ---------------------------------------------------------------- Entra

    private void handleEntra(HttpExchange ex) {
        try {
            if (injectFault(ex)) {
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/_emulator/")) {
                handleControl(ex);
            } else if (path.equals("/msi/token")) {
                managedIdentityToken(ex);
            } else if (path.equals("/" + TENANT_ID + "/oauth2/v2.0/token")) {
                tokenEndpoint(ex);
            } else if (path.equals("/" + TENANT_ID + "/v2.0/.well-known/openid-configuration")
                    || path.equals("/" + TENANT_ID + "/.well-known/openid-configuration")) {
                ObjectNode cfg = JSON.createObjectNode();
                cfg.put("issuer", issuer());
                cfg.put("token_endpoint", authorityHost() + "/" + TENANT_ID + "/oauth2/v2.0/token");
                cfg.put("authorization_endpoint", authorityHost() + "/" + TENANT_ID + "/oauth2/v2.0/authorize");
                cfg.put("jwks_uri", authorityHost() + "/" + TENANT_ID + "/discovery/v2.0/keys");
                cfg.put("tenant_region_scope", "NA");
                send(ex, 200, cfg);
            } else if (path.equals("/" + TENANT_ID + "/discovery/v2.0/keys")) {
                ObjectNode jwks = JSON.createObjectNode();
                ObjectNode k = jwks.putArray("keys").addObject();
                RSAPublicKey pub = (RSAPublicKey) tokenSigningKey.getPublic();
                k.put("kty", "RSA").put("use", "sig").put("kid", tokenKeyId)
                        .put("n", unsigned(pub.getModulus())).put("e", unsigned(pub.getPublicExponent()));
                send(ex, 200, jwks);
            } else {
                error(ex, 404, "NotFound", "No such endpoint on the Entra test double: " + path);
            }
        } catch (Exception e) {
            internalError(ex, e);
        }
    }

    private void tokenEndpoint(HttpExchange ex) throws IOException {
        Map<String, String> f = form(new String(body(ex), StandardCharsets.UTF_8));
        String clientId = f.get("client_id");
        App app = clientId == null ? null : apps.get(clientId);
        if (!"client_credentials".equals(f.get("grant_type"))) {
            oauthError(ex, 400, "unsupported_grant_type", "AADSTS70003: only client_credentials is supported by the test double.");
            return;
        }
        if (app == null) {
            oauthError(ex, 400, "unauthorized_client", "AADSTS700016: Application with identifier '" + clientId
                    + "' was not found in the directory.");
            return;
        }
        String assertion = f.get("client_assertion");
        boolean ok;
        if (f.containsKey("client_secret")) {
            ok = app.secret() != null && app.secret().equals(f.get("client_secret"));
            if (!ok) {
                oauthError(ex, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the "
                        + "secret being sent in the request is the client secret value, not the client secret ID, for "
                        + "a secret added to app '" + clientId + "'.");
                return;
            }
        } else if (assertion != null) {
            ok = validAssertion(app, assertion);
            if (!ok) {
                oauthError(ex, 401, "invalid_client", "AADSTS700027: Client assertion failed signature validation.");
                return;
            }
        } else {
            oauthError(ex, 401, "invalid_client", "AADSTS7000216: client_assertion or client_secret is required.");
            return;
        }
        // MSAL adds the OIDC scopes (openid profile offline_access); the resource is the .default scope.
        String resource = VAULT_RESOURCE;
        for (String scope : f.getOrDefault("scope", "").split(" ")) {
            if (scope.endsWith("/.default")) {
                resource = scope.substring(0, scope.length() - "/.default".length());
            }
        }
        sendToken(ex, clientId, resource);
    }

    private boolean validAssertion(App app, String assertion) {
        Jwt.Parsed jwt = Jwt.parse(assertion);
        if (jwt == null) {
            return false;
        }
        long now = now();
        if (app.federated()) {
            return jwt.verify(federationIssuerKey.getPublic())
                    && jwt.claims().path("sub").asText().endsWith(":" + app.clientId())
                    && jwt.claims().path("exp").asLong() > now;
        }
        if (app.certificate() == null) {
            return false;
        }
        return jwt.verify(app.certificate().getPublicKey())
                && app.clientId().equals(jwt.claims().path("iss").asText())
                && app.clientId().equals(jwt.claims().path("sub").asText())
                && jwt.claims().path("exp").asLong() > now - 300;
    }

    private void managedIdentityToken(HttpExchange ex) throws IOException {
        if (!identityHeader.equals(ex.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
            error(ex, 401, "Unauthorized", "X-IDENTITY-HEADER is missing or wrong.");
            return;
        }
        String clientId = managedIdentityClientId;
        if (clientId == null) {
            error(ex, 400, "BadRequest", "No managed identity is assigned to this host.");
            return;
        }
        Map<String, String> q = form(ex.getRequestURI().getRawQuery());
        String requested = q.get("client_id");
        if (requested != null && !requested.equals(clientId)) {
            error(ex, 400, "BadRequest", "Managed identity '" + requested + "' is not assigned to this host.");
            return;
        }
        String resource = q.getOrDefault("resource", VAULT_RESOURCE);
        long now = now();
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", accessToken(clientId, resource, now));
        body.put("expires_on", String.valueOf(now + TOKEN_LIFETIME_SECONDS));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        body.put("client_id", clientId);
        tokensIssued.computeIfAbsent(clientId, k -> new AtomicLong()).incrementAndGet();
        send(ex, 200, body);
    }

    private void sendToken(HttpExchange ex, String clientId, String resource) throws IOException {
        long now = now();
        ObjectNode body = JSON.createObjectNode();
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME_SECONDS);
        body.put("ext_expires_in", TOKEN_LIFETIME_SECONDS);
        body.put("access_token", accessToken(clientId, resource, now));
        tokensIssued.computeIfAbsent(clientId, k -> new AtomicLong()).incrementAndGet();
        send(ex, 200, body);
    }

    private String accessToken(String clientId, String resource, long now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", resource);
        claims.put("iss", issuer());
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + TOKEN_LIFETIME_SECONDS);
        claims.put("appid", clientId);
        claims.put("azp", clientId);
        claims.put("oid", clientId);
        claims.put("sub", clientId);
        claims.put("tid", TENANT_ID);
        claims.put("ver", "2.0");
        return Jwt.sign(Map.of("alg", "RS256", "typ", "JWT", "kid", tokenKeyId), claims, tokenSigningKey.getPrivate());
    }

    private String issuer() {
        return authorityHost() + "/" + TENANT_ID + "/v2.0";
    }

    private static void oauthError(HttpExchange ex, int status, String error, String description) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", error);
        body.put("error_description", description);
        body.putArray("error_codes").add(Integer.parseInt(description.replaceAll("^AADSTS(\\d+).*", "$1")));
        body.put("trace_id", UUID.randomUUID().toString());
        body.put("correlation_id", UUID.randomUUID().toString());
        send(ex, status, body);
    }

    // ---------------------------------------------------------------- Key Vault

    private void handleVault(HttpExchange ex) {
        try {
            if (injectFault(ex)) {
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/_emulator/")) {
                handleControl(ex);
                return;
            }
            byte[] raw = body(ex);
            JsonNode req = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            String principal = authenticate(ex);
            if (principal == null) {
                return;
            }
            String[] p = path.replaceAll("/+$", "").split("/");
            // p[0] = "", p[1] = "keys", p[2] = name, p[3] = version | "create" | "versions", p[4] = op
            if (p.length < 3 || !"keys".equals(p[1])) {
                error(ex, 404, "NotFound", "Unsupported path on the Key Vault test double: " + path);
                return;
            }
            String method = ex.getRequestMethod();
            String name = p[2];
            if (p.length == 4 && "create".equals(p[3]) && "POST".equals(method)) {
                if (authorize(ex, principal, "keys/create", name)) {
                    createKey(ex, name, req);
                }
                return;
            }
            String version = p.length >= 4 ? p[3] : null;
            String op = p.length >= 5 ? p[4] : null;
            if (op == null && "GET".equals(method)) {
                if (authorize(ex, principal, "keys/get", name)) {
                    KeyVersion k = find(ex, name, version, "get");
                    if (k != null) {
                        send(ex, 200, bundle(k));
                    }
                }
            } else if (op == null && "PATCH".equals(method)) {
                if (authorize(ex, principal, "keys/update", name)) {
                    updateKey(ex, name, version, req);
                }
            } else if (("wrapkey".equals(op) || "unwrapkey".equals(op)) && "POST".equals(method)) {
                if (authorize(ex, principal, "keys/" + op, name)) {
                    wrapOrUnwrap(ex, name, version, "wrapkey".equals(op), req);
                }
            } else {
                error(ex, 405, "MethodNotAllowed", method + " " + path + " is not supported by the test double.");
            }
        } catch (Exception e) {
            internalError(ex, e);
        }
    }

    /** Validates the bearer token; sends the challenge or a 401 and returns null when it is not valid. */
    private String authenticate(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer authorization=\"" + authorityHost() + "/"
                    + TENANT_ID + "\", resource=\"" + VAULT_RESOURCE + "\"");
            error(ex, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            return null;
        }
        Jwt.Parsed jwt = Jwt.parse(auth.substring(7).trim());
        long now = now();
        String problem = null;
        if (jwt == null || !jwt.verify(tokenSigningKey.getPublic())) {
            problem = "AKV10032: Invalid issuer or signature.";
        } else if (!issuer().equals(jwt.claims().path("iss").asText())) {
            problem = "AKV10032: Invalid issuer.";
        } else if (!Set.of(VAULT_RESOURCE, VAULT_RESOURCE + "/").contains(jwt.claims().path("aud").asText())) {
            problem = "AKV10022: Invalid audience " + jwt.claims().path("aud") + ".";
        } else if (jwt.claims().path("exp").asLong() <= now) {
            problem = "AKV10020: The token is expired.";
        } else if (jwt.claims().path("nbf").asLong() > now + 300) {
            problem = "AKV10021: The token is not yet valid.";
        }
        if (problem != null) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer authorization=\"" + authorityHost() + "/"
                    + TENANT_ID + "\", resource=\"" + VAULT_RESOURCE + "\", error=\"invalid_token\"");
            error(ex, 401, "Unauthorized", problem);
            return null;
        }
        return jwt.claims().path("appid").asText();
    }

    private boolean authorize(HttpExchange ex, String principal, String operation, String keyName) throws IOException {
        Set<String> allowed = permissions.get(principal);
        if (allowed != null && !allowed.contains(operation) && !allowed.contains("*")) {
            String opName = operation.substring(operation.indexOf('/') + 1);
            error(ex, 403, "Forbidden", "The user, group or application 'appid=" + principal + "' does not have keys "
                    + opName + " permission on key vault '" + vaultUrl() + "'. (test double permission map)");
            return false;
        }
        operations.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
        return true;
    }

    private KeyVersion find(HttpExchange ex, String name, String version, String opName) throws IOException {
        Map<String, KeyVersion> versions = keys.get(name);
        String v = version == null || version.isEmpty() ? latestVersion.get(name) : version;
        KeyVersion k = versions == null || v == null ? null : versions.get(v);
        if (k == null) {
            error(ex, 404, "KeyNotFound", "A key with (name/id) " + name + (version == null ? "" : "/" + version)
                    + " was not found in this key vault.");
            return null;
        }
        if (!k.enabled) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not allowed on a disabled key.");
            return null;
        }
        return k;
    }

    private void createKey(HttpExchange ex, String name, JsonNode req) throws IOException {
        int bits = req.path("key_size").asInt(2048);
        List<String> ops = new ArrayList<>();
        req.path("key_ops").forEach(n -> ops.add(n.asText()));
        if (ops.isEmpty()) {
            ops.addAll(List.of("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"));
        }
        String version = createRsaKey(name, bits, ops);
        send(ex, 200, bundle(key(name, version)));
    }

    private void updateKey(HttpExchange ex, String name, String version, JsonNode req) throws IOException {
        KeyVersion k = keys.getOrDefault(name, Map.of()).get(version == null ? latestVersion.get(name) : version);
        if (k == null) {
            error(ex, 404, "KeyNotFound", "A key with (name/id) " + name + " was not found in this key vault.");
            return;
        }
        JsonNode attrs = req.path("attributes");
        if (attrs.has("enabled")) {
            k.enabled = attrs.get("enabled").asBoolean();
        }
        if (attrs.has("exp")) {
            k.expires = attrs.get("exp").isNull() ? null : attrs.get("exp").asLong();
        }
        if (attrs.has("nbf")) {
            k.notBefore = attrs.get("nbf").isNull() ? null : attrs.get("nbf").asLong();
        }
        if (req.has("key_ops")) {
            List<String> ops = new ArrayList<>();
            req.get("key_ops").forEach(n -> ops.add(n.asText()));
            k.keyOps = ops;
        }
        send(ex, 200, bundle(k));
    }

    private void wrapOrUnwrap(HttpExchange ex, String name, String version, boolean wrap, JsonNode req) throws IOException {
        String opName = wrap ? "wrapKey" : "unwrapKey";
        KeyVersion k = find(ex, name, version, opName);
        if (k == null) {
            return;
        }
        long now = now();
        if (k.expires != null && now >= k.expires) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not allowed on an expired key.");
            return;
        }
        if (k.notBefore != null && now < k.notBefore) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not allowed on a key that is not yet valid.");
            return;
        }
        if (!k.keyOps.contains(opName)) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not permitted on this key.");
            return;
        }
        String alg = req.path("alg").asText();
        OAEPParameterSpec oaep = switch (alg) {
            case "RSA-OAEP-256" -> new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
            case "RSA-OAEP" -> new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
            default -> null;
        };
        if (oaep == null) {
            error(ex, 400, "BadParameter", "Algorithm '" + alg + "' is not supported by the test double.");
            return;
        }
        byte[] value;
        try {
            value = Base64.getUrlDecoder().decode(req.path("value").asText());
        } catch (IllegalArgumentException e) {
            error(ex, 400, "BadParameter", "The value is not base64url.");
            return;
        }
        byte[] result;
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(wrap ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, wrap ? k.pair.getPublic() : k.pair.getPrivate(), oaep);
            result = c.doFinal(value);
        } catch (GeneralSecurityException e) {
            error(ex, 400, "BadParameter", opName + " failed: the ciphertext is not valid for this key.");
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("kid", kid(k));
        body.put("value", B64URL.encodeToString(result));
        send(ex, 200, body);
    }

    private String kid(KeyVersion k) {
        return vaultUrl() + "/keys/" + k.name + "/" + k.version;
    }

    private ObjectNode bundle(KeyVersion k) {
        RSAPublicKey pub = (RSAPublicKey) k.pair.getPublic();
        ObjectNode b = JSON.createObjectNode();
        ObjectNode key = b.putObject("key");
        key.put("kid", kid(k));
        key.put("kty", "RSA");
        ArrayNode ops = key.putArray("key_ops");
        k.keyOps.forEach(ops::add);
        key.put("n", unsigned(pub.getModulus()));
        key.put("e", unsigned(pub.getPublicExponent()));
        ObjectNode attrs = b.putObject("attributes");
        attrs.put("enabled", k.enabled);
        attrs.put("created", k.created);
        attrs.put("updated", k.created);
        attrs.put("recoveryLevel", "Recoverable+Purgeable");
        attrs.put("recoverableDays", 90);
        if (k.notBefore != null) {
            attrs.put("nbf", k.notBefore);
        }
        if (k.expires != null) {
            attrs.put("exp", k.expires);
        }
        return b;
    }

    // ---------------------------------------------------------------- controls over HTTP

    private void handleControl(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        JsonNode req = JSON.createObjectNode();
        byte[] raw = body(ex);
        if (raw.length > 0) {
            req = JSON.readTree(raw);
        }
        switch (path) {
            case "/_emulator/faults" -> {
                if (req.has("throttleNextRequests")) {
                    throttleNextRequests(req.get("throttleNextRequests").asInt());
                }
                if (req.has("rejectNextRequests")) {
                    rejectNextRequests(req.get("rejectNextRequests").asInt());
                }
                if (req.has("unavailable")) {
                    setUnavailable(req.get("unavailable").asBoolean());
                }
                send(ex, 200, JSON.createObjectNode().put("throttleNextRequests", throttleNext.get())
                        .put("rejectNextRequests", rejectNext.get()));
            }
            case "/_emulator/permissions" -> {
                Map<String, List<String>> map = new HashMap<>();
                req.fields().forEachRemaining(e -> {
                    List<String> ops = new ArrayList<>();
                    e.getValue().forEach(n -> ops.add(n.asText()));
                    map.put(e.getKey(), ops);
                });
                setPermissions(map);
                send(ex, 200, req);
            }
            case "/_emulator/clock" -> {
                if (req.has("advance")) {
                    advanceClock(req.get("advance").asLong());
                }
                if (req.has("offset")) {
                    clockOffsetSeconds.set(req.get("offset").asLong());
                }
                send(ex, 200, JSON.createObjectNode().put("offset", clockOffsetSeconds.get()).put("now", now()));
            }
            default -> error(ex, 404, "NotFound", "No such control: " + path);
        }
    }

    private void internalError(HttpExchange ex, Exception e) {
        log.warn("Key Vault test double failed a request", e);
        try {
            error(ex, 500, "InternalServerError", "test double error: " + e.getClass().getSimpleName());
        } catch (IOException ignored) {
            ex.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(bits);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        return B64URL.encodeToString(b);
    }

    static String thumbprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        entra.stop(0);
        vault.stop(0);
        executor.shutdownNow();
    }
}
