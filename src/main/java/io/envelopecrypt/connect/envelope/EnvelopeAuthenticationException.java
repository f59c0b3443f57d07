package io.envelopecrypt.connect.envelope;

import org.apache.kafka.connect.errors.DataException;

/**
 * The envelope failed authentication: it was altered, encrypted under another data key than the one it names,
 * or bound to another context than the reader's.
 */
public class EnvelopeAuthenticationException extends DataException {
    private static final long serialVersionUID = 1L;

    public EnvelopeAuthenticationException(String message) {
        super(message);
    }
}
