package io.envelopecrypt.connect.envelope;

import org.apache.kafka.connect.errors.DataException;

/** AES-GCM authentication failed: the envelope was altered, or was encrypted under another data key. */
public class EnvelopeAuthenticationException extends DataException {
    private static final long serialVersionUID = 1L;

    public EnvelopeAuthenticationException(String message) {
        super(message);
    }
}
