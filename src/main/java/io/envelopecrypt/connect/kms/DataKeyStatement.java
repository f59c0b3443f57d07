package io.envelopecrypt.connect.kms;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a data key signature covers: a fixed label followed by the data key's 32-byte commitment. Signing the
 * commitment binds the signature to exactly one data key (and so to every payload encrypted under it), without
 * covering the wrapped key, so that re-wrapping a key keeps its signature valid.
 */
public final class DataKeyStatement {
    /** Bytes of a data key commitment (HMAC-SHA256). */
    public static final int COMMITMENT_BYTES = 32;
    private static final byte[] LABEL = "envelopecrypt data key statement v2".getBytes(StandardCharsets.US_ASCII);

    private DataKeyStatement() {
    }

    /** The statement bytes for a commitment (the signature is RS256 over these bytes). */
    public static byte[] of(byte[] commitment) {
        if (commitment == null || commitment.length != COMMITMENT_BYTES) {
            throw new IllegalArgumentException("a commitment is " + COMMITMENT_BYTES + " bytes");
        }
        byte[] statement = Arrays.copyOf(LABEL, LABEL.length + commitment.length);
        System.arraycopy(commitment, 0, statement, LABEL.length, commitment.length);
        return statement;
    }
}
