package io.envelopecrypt.testkit.keyvault;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.envelopecrypt.testkit.keyvault.Exchanges.JSON;
import static io.envelopecrypt.testkit.keyvault.Exchanges.error;
import static io.envelopecrypt.testkit.keyvault.Exchanges.oauthError;
import static io.envelopecrypt.testkit.keyvault.Exchanges.send;

/**
 * Microsoft Entra ID's side: the v2.0 token endpoint (client credentials with a client secret or a client
 * assertion, certificate-signed or federated), the App Service managed identity endpoint, OpenID metadata and
 * JWKS. Access tokens are RS256 JWTs signed with the tenant's key.
 */
final class EntraEndpoints {
    private static final String FEDERATION_ISSUER = "https://kubernetes.test.double";
    static final long TOKEN_LIFETIME_SECONDS = 3600;
    static final String TOKEN_KEY_ID = "double-signing-key";

    private final TenantState state;
    private final String authorityHost;
    private final KeyPair tokenSigningKey;
    private final KeyPair federationIssuerKey;
    private final String identityHeader;

    EntraEndpoints(TenantState state, String authorityHost, KeyPair tokenSigningKey, KeyPair federationIssuerKey,
                   String identityHeader) {
        this.state = state;
        this.authorityHost = authorityHost;
        this.tokenSigningKey = tokenSigningKey;
        this.federationIssuerKey = federationIssuerKey;
        this.identityHeader = identityHeader;
    }

    /** The issuer of access tokens, as a v2.0 tenant names itself. */
    String issuer() {
        return authorityHost + "/" + KeyVaultTestDouble.TENANT_ID + "/v2.0";
    }

    void handle(HttpExchange ex) throws IOException {
        String tenant = "/" + KeyVaultTestDouble.TENANT_ID;
        String path = ex.getRequestURI().getPath();
        if (path.equals("/msi/token")) {
            managedIdentityToken(ex);
        } else if (path.equals(tenant + "/oauth2/v2.0/token")) {
            tokenEndpoint(ex);
        } else if (path.equals(tenant + "/v2.0/.well-known/openid-configuration")
                || path.equals(tenant + "/.well-known/openid-configuration")) {
            ObjectNode cfg = JSON.createObjectNode();
            cfg.put("issuer", issuer());
            cfg.put("token_endpoint", authorityHost + tenant + "/oauth2/v2.0/token");
            cfg.put("authorization_endpoint", authorityHost + tenant + "/oauth2/v2.0/authorize");
            cfg.put("jwks_uri", authorityHost + tenant + "/discovery/v2.0/keys");
            cfg.put("tenant_region_scope", "NA");
            send(ex, 200, cfg);
        } else if (path.equals(tenant + "/discovery/v2.0/keys")) {
            ObjectNode jwks = JSON.createObjectNode();
            ObjectNode k = jwks.putArray("keys").addObject();
            RSAPublicKey pub = (RSAPublicKey) tokenSigningKey.getPublic();
            k.put("kty", "RSA").put("use", "sig").put("kid", TOKEN_KEY_ID)
                    .put("n", Exchanges.unsigned(pub.getModulus())).put("e", Exchanges.unsigned(pub.getPublicExponent()));
            send(ex, 200, jwks);
        } else {
            error(ex, 404, "NotFound", "No such endpoint on the Entra test double: " + path);
        }
    }

    private void tokenEndpoint(HttpExchange ex) throws IOException {
        Map<String, String> f = Exchanges.form(new String(Exchanges.body(ex), StandardCharsets.UTF_8));
        String clientId = f.get("client_id");
        TenantState.App app = state.app(clientId);
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
        if (f.containsKey("client_secret")) {
            if (app.secret() == null || !app.secret().equals(f.get("client_secret"))) {
                oauthError(ex, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the "
                        + "secret being sent in the request is the client secret value, not the client secret ID, for "
                        + "a secret added to app '" + clientId + "'.");
                return;
            }
        } else if (assertion != null) {
            if (!validAssertion(app, assertion)) {
                oauthError(ex, 401, "invalid_client", "AADSTS700027: Client assertion failed signature validation.");
                return;
            }
        } else {
            oauthError(ex, 401, "invalid_client", "AADSTS7000216: client_assertion or client_secret is required.");
            return;
        }
        // MSAL adds the OIDC scopes (openid profile offline_access); the resource is the .default scope, which
        // the client credentials flow requires, as Entra does.
        String resource = null;
        for (String scope : f.getOrDefault("scope", "").split(" ")) {
            if (scope.endsWith("/.default")) {
                resource = scope.substring(0, scope.length() - "/.default".length());
            }
        }
        if (resource == null) {
            oauthError(ex, 400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client "
                    + "credential flows must have a scope value with /.default suffixed to the resource identifier.");
            return;
        }
        long now = state.now();
        ObjectNode body = JSON.createObjectNode();
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME_SECONDS);
        body.put("ext_expires_in", TOKEN_LIFETIME_SECONDS);
        body.put("access_token", accessToken(clientId, resource, now));
        state.countToken(clientId);
        send(ex, 200, body);
    }

    private boolean validAssertion(TenantState.App app, String assertion) {
        Jwt.Parsed jwt = Jwt.parse(assertion);
        if (jwt == null) {
            return false;
        }
        long now = state.now();
        if (app.federated()) {
            // What a federated identity credential names: the issuer, the subject, and Entra's exchange audience.
            return jwt.verify(federationIssuerKey.getPublic())
                    && FEDERATION_ISSUER.equals(jwt.claims().path("iss").asText())
                    && "api://AzureADTokenExchange".equals(jwt.claims().path("aud").asText())
                    && jwt.claims().path("sub").asText().endsWith(":" + app.clientId())
                    && jwt.claims().path("exp").asLong() > now;
        }
        if (app.certificate() == null) {
            return false;
        }
        // A certificate credential's assertion is for this tenant's token endpoint, issued by and about the app.
        return jwt.verify(app.certificate().getPublicKey())
                && app.clientId().equals(jwt.claims().path("iss").asText())
                && app.clientId().equals(jwt.claims().path("sub").asText())
                && (authorityHost + "/" + KeyVaultTestDouble.TENANT_ID + "/oauth2/v2.0/token").equals(jwt.claims().path("aud").asText())
                && jwt.claims().path("nbf").asLong(now) <= now + 300
                && jwt.claims().path("exp").asLong() > now - 300;
    }

    private void managedIdentityToken(HttpExchange ex) throws IOException {
        if (!identityHeader.equals(ex.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
            error(ex, 401, "Unauthorized", "X-IDENTITY-HEADER is missing or wrong.");
            return;
        }
        String clientId = state.managedIdentity();
        if (clientId == null) {
            error(ex, 400, "BadRequest", "No managed identity is assigned to this host.");
            return;
        }
        Map<String, String> q = Exchanges.form(ex.getRequestURI().getRawQuery());
        String requested = q.get("client_id");
        if (requested != null && !requested.equals(clientId)) {
            error(ex, 400, "BadRequest", "Managed identity '" + requested + "' is not assigned to this host.");
            return;
        }
        String resource = q.getOrDefault("resource", KeyVaultTestDouble.VAULT_RESOURCE);
        long now = state.now();
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", accessToken(clientId, resource, now));
        body.put("expires_on", String.valueOf(now + TOKEN_LIFETIME_SECONDS));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        body.put("client_id", clientId);
        state.countToken(clientId);
        send(ex, 200, body);
    }

    /** A federated token, as Kubernetes projects it for a workload, for a federated app. */
    String federatedToken(String clientId) {
        long now = state.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", FEDERATION_ISSUER);
        claims.put("sub", "system:serviceaccount:connect:" + clientId);
        claims.put("aud", "api://AzureADTokenExchange");
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        return Jwt.sign(Map.of("alg", "RS256", "typ", "JWT"), claims, federationIssuerKey.getPrivate());
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
        claims.put("tid", KeyVaultTestDouble.TENANT_ID);
        claims.put("ver", "2.0");
        return Jwt.sign(Map.of("alg", "RS256", "typ", "JWT", "kid", TOKEN_KEY_ID), claims, tokenSigningKey.getPrivate());
    }
}
