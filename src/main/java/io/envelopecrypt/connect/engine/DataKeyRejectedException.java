package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.kms.KmsAccessException;

import org.apache.kafka.connect.errors.DataException;

/**
 * The data key a record names cannot be used: its KEK is unknown or outside the configured ones, or the KEK
 * rejected the wrapped bytes. It is the record's problem, not the configuration's: a {@link DataException}, so
 * {@code errors.tolerance} and the dead-letter queue handle it.
 */
public final class DataKeyRejectedException extends DataException {
    private static final long serialVersionUID = 1L;

    private final KmsAccessException.Reason reason;

    DataKeyRejectedException(KmsAccessException cause) {
        super(cause.getMessage(), cause);
        this.reason = cause.reason();
    }

    /**
     * True when the KEK refused the wrapped bytes (tampered or foreign) or the data key's signature did not hold,
     * false when the key is not one we use.
     */
    public boolean isAuthenticationFailure() {
        return reason == KmsAccessException.Reason.INVALID_WRAPPED_KEY || reason == KmsAccessException.Reason.SIGNATURE_REJECTED;
    }
}
