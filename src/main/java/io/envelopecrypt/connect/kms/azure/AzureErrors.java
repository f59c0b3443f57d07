package io.envelopecrypt.connect.kms.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.identity.CredentialUnavailableException;
import com.microsoft.aad.msal4j.MsalServiceException;

import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;
import io.envelopecrypt.connect.kms.KmsUnavailableException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Turns Azure SDK failures into the provider's two kinds: transient (retry later) and permanent (fix
 * something). Messages name the vault, key, operation and HTTP status; the service's own error text is
 * kept because Key Vault and Entra never echo credentials or key material.
 */
final class AzureErrors {
    private static final int MAX_DETAIL = 400;
    private static final java.util.regex.Pattern STATUS_IN_MESSAGE =
            java.util.regex.Pattern.compile("status code:? (\\d{3})");

    private AzureErrors() {
    }

    private static boolean isChallengeMismatch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("The challenge resource")) {
                return true;
            }
        }
        return false;
    }

    static RuntimeException translate(Throwable e, String operation, String keyDescription) {
        String where = "Azure Key Vault " + operation + " for " + keyDescription;
        HttpResponseException http = find(e, HttpResponseException.class);
        if (http != null && http.getResponse() != null) {
            int status = http.getResponse().getStatusCode();
            String detail = detail(http.getMessage());
            String message = where + " failed: HTTP " + status + " " + detail;
            if (status == 408 || status == 429 || status >= 500) {
                return new KmsUnavailableException(message + " (retries exhausted)", sanitized(e));
            }
            if (status == 401) {
                // Key Vault refused a token the credential considered valid: revoked, or clocks disagree.
                return new KmsAccessException(Reason.TOKEN_REJECTED, message, sanitized(e));
            }
            if (http instanceof ClientAuthenticationException) {
                return new KmsAccessException(Reason.AUTHENTICATION, message, sanitized(e));
            }
            return new KmsAccessException(reason(status, detail, operation), message, sanitized(e));
        }
        MsalServiceException entra = find(e, MsalServiceException.class);
        if (entra != null) {
            Integer status = entra.statusCode();
            if (status == null && entra.getMessage() != null) {
                // MSAL leaves statusCode unset for responses it cannot parse, but names the status in the message.
                java.util.regex.Matcher m = STATUS_IN_MESSAGE.matcher(entra.getMessage());
                status = m.find() ? Integer.valueOf(m.group(1)) : null;
            }
            String message = where + " failed: the Microsoft Entra token request failed with HTTP " + status + " "
                    + detail(entra.getMessage());
            if (status != null && (status == 408 || status == 429 || status >= 500)) {
                return new KmsUnavailableException(message + " (retries exhausted)", sanitized(e));
            }
            return new KmsAccessException(Reason.AUTHENTICATION, message, sanitized(e));
        }
        if (find(e, java.security.cert.CertificateException.class) != null
                || find(e, java.security.cert.CertPathBuilderException.class) != null) {
            return new KmsAccessException(Reason.OTHER, where + " failed: the server's TLS certificate is not trusted; "
                    + "set azure.ssl.truststore.location to the CA that issued it", sanitized(e));
        }
        if (isChallengeMismatch(e)) {
            // The SDK refuses to send a token to a vault whose challenge names another resource; its own message
            // points at a builder method users of this plugin cannot call.
            return new KmsAccessException(Reason.AUTHENTICATION, where + " failed: the vault's authentication challenge "
                    + "names a resource that does not match its host, so no token was sent; point "
                    + AzureKeyVaultConfig.VAULT_URL + " at the vault's own name, or set "
                    + AzureKeyVaultConfig.CHALLENGE_RESOURCE_VERIFICATION + "=false for a test double or emulator",
                    sanitized(e));
        }
        if (hasIoCause(e)) {
            return new KmsUnavailableException(where + " failed: the service could not be reached ("
                    + rootCause(e).getClass().getSimpleName() + ")", sanitized(e));
        }
        if (find(e, CredentialUnavailableException.class) != null || find(e, ClientAuthenticationException.class) != null) {
            return new KmsAccessException(Reason.AUTHENTICATION, where + " failed: could not get a Microsoft Entra "
                    + "token: " + detail(e.getMessage()), sanitized(e));
        }
        // Unknown failure: its message is not ours to vouch for, so only its type is reported.
        return new KmsAccessException(Reason.OTHER, where + " failed: " + e.getClass().getName(), sanitized(e));
    }

    private static Reason reason(int status, String detail, String operation) {
        String d = detail.toLowerCase(Locale.ROOT);
        switch (status) {
            case 403:
                if (d.contains("disabled") || d.contains("expired") || d.contains("not yet valid")
                        || d.contains("not before") || d.contains("keydisabled") || d.contains("keyexpired")
                        || (d.contains("operation") && d.contains("not") && d.contains("permitted on"))) {
                    return Reason.KEY_NOT_USABLE;
                }
                return Reason.PERMISSION;
            case 404:
                return Reason.KEY_NOT_FOUND;
            case 400:
                return "unwrapKey".equals(operation) ? Reason.INVALID_WRAPPED_KEY : Reason.OTHER;
            default:
                return Reason.OTHER;
        }
    }

    static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException
                    || t instanceof java.net.http.HttpTimeoutException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String detail(String message) {
        if (message == null) {
            return "";
        }
        String oneLine = message.replaceAll("\\s+", " ").trim();
        return oneLine.length() > MAX_DETAIL ? oneLine.substring(0, MAX_DETAIL) + "..." : oneLine;
    }

    /**
     * The cause chain without messages (classes and stack traces only). SDK messages are safe today,
     * but a cause from a lower layer could carry anything; we never want it in a log or DLQ header.
     */
    static Throwable sanitized(Throwable e) {
        return SanitizedCause.of(e);
    }
}
