package io.envelopecrypt.connect.kms;

import org.apache.kafka.connect.errors.RetriableException;

/**
 * The key service could not be reached or asked us to back off, and retries inside the provider ran out.
 * Extends Connect's {@link RetriableException}, so the worker retries the record for up to
 * {@code errors.retry.timeout}. Nothing is emitted for the record meanwhile.
 */
public class KmsUnavailableException extends RetriableException {
    private static final long serialVersionUID = 1L;

    public KmsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
