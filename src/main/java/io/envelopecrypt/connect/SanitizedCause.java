package io.envelopecrypt.connect;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;

/**
 * A stand-in for an exception that keeps its class name and stack trace but drops its message, so it
 * can be attached as a cause without risking that data or secrets in the message reach a log,
 * an error response or a dead-letter header.
 */
public final class SanitizedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DEPTH = 8;

    private SanitizedCause(Throwable original, Throwable cause) {
        super(original.getClass().getName(), cause, false, true);
        setStackTrace(original.getStackTrace());
    }

    public static Throwable of(Throwable original) {
        return of(original, 0);
    }

    private static Throwable of(Throwable original, int depth) {
        if (original == null || depth >= MAX_DEPTH) {
            return null;
        }
        Throwable cause = original.getCause() == original ? null : original.getCause();
        return new SanitizedCause(original, of(cause, depth + 1));
    }

    /**
     * The one rule for every path that touches plaintext: the project's own {@link ConnectException}s (whose
     * messages are written to be safe) go on as they are; anything else, from a library that may have seen
     * plaintext or key material, becomes a {@link DataException} that names only {@code action} and its type.
     */
    public static ConnectException sanitize(String action, RuntimeException e) {
        if (e instanceof ConnectException connect) {
            return connect;
        }
        return new DataException(action + " failed (" + e.getClass().getSimpleName() + ")", of(e));
    }
}
