package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A versioned Key Vault key identifier, {@code https://<vault host>[:port]/keys/<name>/<version>}, the
 * {@code kid} that Key Vault returns and that envelopes carry. Parsing refuses anything else, and key
 * names and versions outside Key Vault's alphabet, so no text from a record reaches a URL or a message
 * unchecked.
 *
 * @param vault   the vault's base URL without a trailing slash, e.g. {@code https://my-vault.vault.azure.net}
 * @param name    the key name
 * @param version the key version
 */
public record KeyVaultKeyId(String vault, String name, String version) {
    /** Key Vault's rule for key names. */
    static final Pattern NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");
    /** Key versions are 32 hex digits in Azure; any short token of letters, digits and dashes is accepted. */
    static final Pattern VERSION = Pattern.compile("[0-9A-Za-z-]{1,64}");

    /** Whether {@code keyId} has the shape of a Key Vault key id (it may still be refused by {@link #parse}). */
    static boolean looksLikeKeyId(String keyId) {
        return keyId != null && keyId.regionMatches(true, 0, "https://", 0, 8) && keyId.contains("/keys/");
    }

    /** Parses the key id an envelope carries; failures are the record's problem and name no part of it. */
    static KeyVaultKeyId parse(String keyId) {
        URI uri;
        try {
            uri = new URI(keyId);
        } catch (URISyntaxException e) {
            throw notAKeyId();
        }
        String[] path = uri.getRawPath() == null ? new String[0] : uri.getRawPath().split("/", -1);
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null || path.length != 4 || !path[0].isEmpty()
                || !"keys".equals(path[1]) || !NAME.matcher(path[2]).matches() || !VERSION.matcher(path[3]).matches()) {
            throw notAKeyId();
        }
        String vault = "https://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        return new KeyVaultKeyId(vault, path[2], path[3]);
    }

    private static KmsAccessException notAKeyId() {
        return new KmsAccessException(Reason.KEY_NOT_FOUND, "The envelope's keyId is not a versioned Key Vault key "
                + "identifier (https://<vault>/keys/<name>/<version>)");
    }

    /** Whether this key lives in the vault at {@code vaultUri} (same host and port). */
    boolean isIn(URI vaultUri) {
        URI mine = URI.create(vault);
        return vaultUri.getHost() != null && mine.getHost().equalsIgnoreCase(vaultUri.getHost()) && port(mine) == port(vaultUri);
    }

    private static int port(URI uri) {
        return uri.getPort() == -1 ? 443 : uri.getPort();
    }

    @Override
    public String toString() {
        return vault + "/keys/" + name + "/" + version;
    }
}
