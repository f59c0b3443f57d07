package io.envelopecrypt.connect.registry;

import org.apache.kafka.connect.errors.ConnectException;

/**
 * The schema registry refused a request for a reason retrying will not change: credentials (401, 403), a schema
 * incompatible with the subject (409), an invalid schema (422), an unknown subject or id (404). The message names
 * the subject or id, never credentials.
 */
public class SchemaRegistryException extends ConnectException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public SchemaRegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the registry answered, or -1 when the answer could not be used at all. */
    public int status() {
        return status;
    }
}
