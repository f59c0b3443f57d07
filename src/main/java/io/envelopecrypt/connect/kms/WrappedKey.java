package io.envelopecrypt.connect.kms;

import java.util.Objects;

/**
 * A data key wrapped (encrypted) by a key-encryption key, with everything needed to unwrap it.
 *
 * @param keyId     the exact key-encryption-key version that wrapped the data key
 * @param algorithm the wrap algorithm, a JWA name such as {@code RSA-OAEP-256} or {@code A256KW}
 * @param wrapped   the wrapped data key bytes (not secret: only the KEK can unwrap them)
 */
public record WrappedKey(String keyId, String algorithm, byte[] wrapped) {

    public WrappedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(wrapped, "wrapped");
    }

    @Override
    public String toString() {
        return "WrappedKey[keyId=" + keyId + ", algorithm=" + algorithm + ", " + wrapped.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey other
                && keyId.equals(other.keyId)
                && algorithm.equals(other.algorithm)
                && java.util.Arrays.equals(wrapped, other.wrapped);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * keyId.hashCode() + algorithm.hashCode()) + java.util.Arrays.hashCode(wrapped);
    }
}
