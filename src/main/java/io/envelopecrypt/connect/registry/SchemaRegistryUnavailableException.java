package io.envelopecrypt.connect.registry;

import org.apache.kafka.connect.errors.RetriableException;

/**
 * The schema registry could not be reached, or answered that it cannot serve now (5xx, 408, 429). Retriable: Connect
 * retries the record for up to {@code errors.retry.timeout}, and nothing is lost meanwhile.
 */
public class SchemaRegistryUnavailableException extends RetriableException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message) {
        super(message);
    }
}
