package io.envelopecrypt.connect.envelope;

import org.apache.kafka.connect.errors.DataException;

/** A record value that should be an envelope but is not a valid one. Names fields, never their contents. */
public class MalformedEnvelopeException extends DataException {
    private static final long serialVersionUID = 1L;

    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
