package io.envelopecrypt.testkit.keyvault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

import static io.envelopecrypt.testkit.keyvault.Exchanges.JSON;
import static io.envelopecrypt.testkit.keyvault.Exchanges.error;
import static io.envelopecrypt.testkit.keyvault.Exchanges.send;

/**
 * Key Vault's side: the bearer challenge ({@code 401} with {@code WWW-Authenticate}), token validation
 * (signature, issuer, audience, expiry against the tenant's clock), the permission map, and the key operations
 * the plugin uses: get, create, update (enable/disable, expiry, key_ops), wrapkey and unwrapkey with
 * RSA-OAEP-256 and RSA-OAEP, and sign with RS256 (over a SHA-256 digest, as Key Vault takes it).
 */
final class VaultEndpoints {
    private static final java.util.regex.Pattern API_VERSION = java.util.regex.Pattern.compile(
            "7\\.[0-6](-preview(\\.\\d+)?)?|20[2-9]\\d-[01]\\d-[0-3]\\d(-preview)?");
    /** DER of DigestInfo { AlgorithmIdentifier sha256, NULL }, OCTET STRING (32) }, without the digest (RFC 8017 9.2). */
    private static final byte[] SHA256_DIGEST_INFO = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01,
        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

    private final TenantState state;
    private final String vaultUrl;
    private final String authorityHost;
    private final String issuer;
    private final PublicKey tokenVerificationKey;

    VaultEndpoints(TenantState state, String vaultUrl, String authorityHost, String issuer, PublicKey tokenVerificationKey) {
        this.state = state;
        this.vaultUrl = vaultUrl;
        this.authorityHost = authorityHost;
        this.issuer = issuer;
        this.tokenVerificationKey = tokenVerificationKey;
    }

    void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String apiVersion = Exchanges.form(ex.getRequestURI().getRawQuery()).get("api-version");
        if (apiVersion == null || !API_VERSION.matcher(apiVersion).matches()) {
            // Key Vault's data plane requires a supported api-version on every request (7.0 to 7.6, then dated ones
            // such as 2025-07-01, which the 4.11 SDK sends); the double's message is its own.
            error(ex, 400, "BadParameter", "The api-version query parameter is missing or not a Key Vault data-plane "
                    + "version (7.0 to 7.6, or a dated version): " + apiVersion);
            return;
        }
        JsonNode req = Exchanges.jsonBody(ex);
        String principal = authenticate(ex);
        if (principal == null) {
            return;
        }
        String[] p = path.replaceAll("/+$", "").split("/");
        if (p.length >= 3 && "deletedkeys".equals(p[1])) {
            deletedKeys(ex, principal, p);
            return;
        }
        // p[0] = "", p[1] = "keys", p[2] = name, p[3] = version | "create", p[4] = op
        if (p.length < 3 || !"keys".equals(p[1])) {
            error(ex, 404, "NotFound", "Unsupported path on the Key Vault test double: " + path);
            return;
        }
        String method = ex.getRequestMethod();
        String name = p[2];
        if (p.length == 4 && "create".equals(p[3]) && "POST".equals(method)) {
            if (authorize(ex, principal, "keys/create")) {
                createKey(ex, name, req);
            }
            return;
        }
        String version = p.length >= 4 ? p[3] : null;
        String op = p.length >= 5 ? p[4] : null;
        if (op == null && "GET".equals(method)) {
            if (authorize(ex, principal, "keys/get")) {
                TenantState.KeyVersion k = find(ex, name, version, "get");
                if (k != null) {
                    send(ex, 200, bundle(k));
                }
            }
        } else if (version == null && "DELETE".equals(method)) {
            if (authorize(ex, principal, "keys/delete")) {
                deleteKey(ex, name);
            }
        } else if (op == null && "PATCH".equals(method)) {
            if (authorize(ex, principal, "keys/update")) {
                updateKey(ex, name, version, req);
            }
        } else if (("wrapkey".equals(op) || "unwrapkey".equals(op)) && "POST".equals(method)) {
            if (authorize(ex, principal, "keys/" + op)) {
                wrapOrUnwrap(ex, name, version, "wrapkey".equals(op), req);
            }
        } else if ("sign".equals(op) && "POST".equals(method)) {
            if (authorize(ex, principal, "keys/sign")) {
                sign(ex, name, version, req);
            }
        } else {
            error(ex, 405, "MethodNotAllowed", method + " " + path + " is not supported by the test double.");
        }
    }

    /**
     * Delete Key: soft-deletes every version and answers with the DeletedKeyBundle (the latest version's bundle plus
     * recoveryId, deletedDate and scheduledPurgeDate, 90 days on); from then on the key's operations answer 404.
     */
    private void deleteKey(HttpExchange ex, String name) throws IOException {
        TenantState.KeyVersion latest = state.find(name, null);
        TenantState.Deleted d = latest == null ? null : state.deleteKey(name);
        if (d == null) {
            error(ex, 404, "KeyNotFound", "A key with (name/id) " + name + " was not found in this key vault.");
            return;
        }
        send(ex, 200, deletedBundle(latest, d));
    }

    private ObjectNode deletedBundle(TenantState.KeyVersion latest, TenantState.Deleted d) {
        ObjectNode b = bundle(latest);
        b.put("recoveryId", vaultUrl + "/deletedkeys/" + latest.name);
        b.put("deletedDate", d.deletedAt());
        b.put("scheduledPurgeDate", d.deletedAt() + 90L * 86_400);
        return b;
    }

    /** Get Deleted Key (GET), Purge Deleted Key (DELETE, 204) and Recover Deleted Key (POST .../recover). */
    private void deletedKeys(HttpExchange ex, String principal, String[] p) throws IOException {
        String name = p[2];
        String method = ex.getRequestMethod();
        TenantState.Deleted d = state.deleted(name);
        if (p.length == 3 && "GET".equals(method)) {
            if (authorize(ex, principal, "keys/get")) {
                if (d == null) {
                    error(ex, 404, "KeyNotFound", "Deleted Key not found: " + name);
                } else {
                    send(ex, 200, deletedBundle(d.versions().get(d.latest()), d));
                }
            }
        } else if (p.length == 3 && "DELETE".equals(method)) {
            if (authorize(ex, principal, "keys/purge")) {
                if (state.purgeDeletedKey(name)) {
                    ex.sendResponseHeaders(204, -1);
                    ex.close();
                } else {
                    error(ex, 404, "KeyNotFound", "Deleted Key not found: " + name);
                }
            }
        } else if (p.length == 4 && "recover".equals(p[3]) && "POST".equals(method)) {
            if (authorize(ex, principal, "keys/recover")) {
                if (state.recoverDeletedKey(name)) {
                    send(ex, 200, bundle(state.key(name, null)));
                } else {
                    error(ex, 404, "KeyNotFound", "Deleted Key not found: " + name);
                }
            }
        } else {
            error(ex, 405, "MethodNotAllowed", method + " " + String.join("/", p) + " is not supported by the test double.");
        }
    }

    /** Validates the bearer token; sends the challenge or a 401 and returns null when it is not valid. */
    private String authenticate(HttpExchange ex) throws IOException {
        String challenge = "Bearer authorization=\"" + authorityHost + "/" + KeyVaultTestDouble.TENANT_ID
                + "\", resource=\"" + KeyVaultTestDouble.VAULT_RESOURCE + "\"";
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            ex.getResponseHeaders().add("WWW-Authenticate", challenge);
            error(ex, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            return null;
        }
        Jwt.Parsed jwt = Jwt.parse(auth.substring(7).trim());
        long now = state.now();
        String problem = null;
        if (jwt == null || !jwt.verify(tokenVerificationKey)) {
            problem = "AKV10032: Invalid issuer or signature.";
        } else if (!issuer.equals(jwt.claims().path("iss").asText())) {
            problem = "AKV10032: Invalid issuer.";
        } else if (!Set.of(KeyVaultTestDouble.VAULT_RESOURCE, KeyVaultTestDouble.VAULT_RESOURCE + "/")
                .contains(jwt.claims().path("aud").asText())) {
            problem = "AKV10022: Invalid audience " + jwt.claims().path("aud") + ".";
        } else if (jwt.claims().path("exp").asLong() <= now) {
            problem = "AKV10020: The token is expired.";
        } else if (jwt.claims().path("nbf").asLong() > now + 300) {
            problem = "AKV10021: The token is not yet valid.";
        }
        if (problem != null) {
            ex.getResponseHeaders().add("WWW-Authenticate", challenge + ", error=\"invalid_token\"");
            error(ex, 401, "Unauthorized", problem);
            return null;
        }
        return jwt.claims().path("appid").asText();
    }

    private boolean authorize(HttpExchange ex, String principal, String operation) throws IOException {
        if (!state.allows(principal, operation)) {
            String opName = operation.substring(operation.indexOf('/') + 1);
            error(ex, 403, "Forbidden", "The user, group or application 'appid=" + principal + "' does not have keys "
                    + opName + " permission on key vault '" + vaultUrl + "'. (test double permission map)");
            return false;
        }
        state.countOperation(principal, operation);
        return true;
    }

    private TenantState.KeyVersion find(HttpExchange ex, String name, String version, String opName) throws IOException {
        TenantState.KeyVersion k = state.find(name, version);
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
        String version = state.createRsaKey(name, bits, ops);
        send(ex, 200, bundle(state.key(name, version)));
    }

    private void updateKey(HttpExchange ex, String name, String version, JsonNode req) throws IOException {
        TenantState.KeyVersion k = state.find(name, version);
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

    /** The key version, if it exists, is enabled, valid now and allows the operation; otherwise sends the error. */
    private TenantState.KeyVersion usable(HttpExchange ex, String name, String version, String opName) throws IOException {
        TenantState.KeyVersion k = find(ex, name, version, opName);
        if (k == null) {
            return null;
        }
        long now = state.now();
        if (k.expires != null && now >= k.expires) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not allowed on an expired key.");
            return null;
        }
        if (k.notBefore != null && now < k.notBefore) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not allowed on a key that is not yet valid.");
            return null;
        }
        if (!k.keyOps.contains(opName)) {
            error(ex, 403, "Forbidden", "Operation " + opName + " is not permitted on this key.");
            return null;
        }
        return k;
    }

    /** RS256 over a digest: PKCS#1 v1.5 padding of the DER DigestInfo of SHA-256 followed by the 32-byte digest. */
    private void sign(HttpExchange ex, String name, String version, JsonNode req) throws IOException {
        TenantState.KeyVersion k = usable(ex, name, version, "sign");
        if (k == null) {
            return;
        }
        String alg = req.path("alg").asText();
        if (!"RS256".equals(alg)) {
            error(ex, 400, "BadParameter", "Algorithm '" + alg + "' is not supported by the test double.");
            return;
        }
        byte[] digest;
        try {
            digest = Base64.getUrlDecoder().decode(req.path("value").asText());
        } catch (IllegalArgumentException e) {
            error(ex, 400, "BadParameter", "The value is not base64url.");
            return;
        }
        if (digest.length != 32) {
            error(ex, 400, "BadParameter", "Invalid length of the digest for RS256: " + digest.length + " bytes.");
            return;
        }
        byte[] signature;
        try {
            Signature rsa = Signature.getInstance("NONEwithRSA");
            rsa.initSign(k.pair.getPrivate());
            rsa.update(SHA256_DIGEST_INFO);
            rsa.update(digest);
            signature = rsa.sign();
        } catch (GeneralSecurityException e) {
            error(ex, 500, "InternalServerError", "Signing failed in the test double.");
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("kid", kid(k));
        body.put("value", Exchanges.B64URL.encodeToString(signature));
        send(ex, 200, body);
    }

    private void wrapOrUnwrap(HttpExchange ex, String name, String version, boolean wrap, JsonNode req) throws IOException {
        String opName = wrap ? "wrapKey" : "unwrapKey";
        TenantState.KeyVersion k = usable(ex, name, version, opName);
        if (k == null) {
            return;
        }
        String alg = req.path("alg").asText();
        OAEPParameterSpec oaep = oaep(alg);
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
        body.put("value", Exchanges.B64URL.encodeToString(result));
        send(ex, 200, body);
    }

    /** OAEP parameters as Key Vault defines the two algorithms; null for any other. */
    static OAEPParameterSpec oaep(String alg) {
        return switch (alg) {
            case "RSA-OAEP-256" -> new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
            case "RSA-OAEP" -> new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
            default -> null;
        };
    }

    private String kid(TenantState.KeyVersion k) {
        return vaultUrl + "/keys/" + k.name + "/" + k.version;
    }

    private ObjectNode bundle(TenantState.KeyVersion k) {
        RSAPublicKey pub = (RSAPublicKey) k.pair.getPublic();
        ObjectNode b = JSON.createObjectNode();
        ObjectNode key = b.putObject("key");
        key.put("kid", kid(k));
        key.put("kty", "RSA");
        ArrayNode ops = key.putArray("key_ops");
        k.keyOps.forEach(ops::add);
        key.put("n", Exchanges.unsigned(pub.getModulus()));
        key.put("e", Exchanges.unsigned(pub.getPublicExponent()));
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
}
