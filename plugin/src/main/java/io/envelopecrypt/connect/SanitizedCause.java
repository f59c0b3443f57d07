package io.envelopecrypt.connect;

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
}
