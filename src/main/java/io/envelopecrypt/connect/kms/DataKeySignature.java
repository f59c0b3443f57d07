package io.envelopecrypt.connect.kms;

import java.util.Objects;

/**
 * A signature over a data key's statement (its commitment) by a signing key that only the encrypting side may use:
 * readers that require it accept only data keys an authorized writer created, not ones wrapped by anyone holding
 * the KEK's public half.
 *
 * @param signingKeyId the exact signing key version, as the key service names it
 * @param signature    the signature bytes (RS256, RSASSA-PKCS1-v1_5 with SHA-256: format 2's only algorithm)
 */
public record DataKeySignature(String signingKeyId, byte[] signature) {
    public DataKeySignature {
        Objects.requireNonNull(signingKeyId, "signingKeyId");
        Objects.requireNonNull(signature, "signature");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataKeySignature other && signingKeyId.equals(other.signingKeyId)
                && java.util.Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return 31 * signingKeyId.hashCode() + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "DataKeySignature[" + signingKeyId + ", " + signature.length + " bytes]";
    }
}
