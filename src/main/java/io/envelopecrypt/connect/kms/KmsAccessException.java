package io.envelopecrypt.connect.kms;

import org.apache.kafka.connect.errors.ConnectException;

/**
 * A failure that retrying will not fix: bad credentials, missing permission, a missing, disabled or
 * expired key, or a wrapped key that the KEK does not accept.
 */
public class KmsAccessException extends ConnectException {
    private static final long serialVersionUID = 1L;

    /** Why access failed; lets callers tell configuration problems from bad records. */
    public enum Reason {
        /** The credential was rejected or no token could be obtained. */
        AUTHENTICATION,
        /** The key service rejected an access token (401); the provider retries once with a fresh credential. */
        TOKEN_REJECTED,
        /** The principal lacks the permission for the operation (403). */
        PERMISSION,
        /** The key or key version does not exist (404), or is not one this provider may use. */
        KEY_NOT_FOUND,
        /** The key is disabled, expired, not yet valid, or does not allow the operation. */
        KEY_NOT_USABLE,
        /** The wrapped key was rejected: tampered, truncated, or wrapped by another key. */
        INVALID_WRAPPED_KEY,
        /**
         * Not sent to the key service: too many records recently named data keys that failed to unwrap (a flood
         * of forged or corrupt envelopes), so unwraps of keys not seen before are refused for a while.
         */
        UNWRAP_BUDGET_EXHAUSTED,
        /** The data key signature is missing, by a key that is not trusted, or does not verify. */
        SIGNATURE_REJECTED,
        /** Any other permanent error reported by the key service. */
        OTHER
    }

    private final Reason reason;

    public KmsAccessException(Reason reason, String message) {
        this(reason, message, null);
    }

    public KmsAccessException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** True when the failure is about one record's envelope rather than the configuration. */
    public boolean isRecordProblem() {
        return reason == Reason.INVALID_WRAPPED_KEY || reason == Reason.KEY_NOT_FOUND
                || reason == Reason.UNWRAP_BUDGET_EXHAUSTED || reason == Reason.SIGNATURE_REJECTED;
    }
}
