package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.errors.DataException;

/** The decrypted payload or its schema cannot be decoded. Never carries payload bytes in its message. */
public class MalformedPayloadException extends DataException {
    private static final long serialVersionUID = 1L;

    public MalformedPayloadException(String message) {
        super(message);
    }

    public MalformedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
