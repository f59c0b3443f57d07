package io.envelopecrypt.connect.kms;

/**
 * Wraps and unwraps data keys with a key-encryption key (KEK) that the plugin never sees in the clear
 * (Azure Key Vault) or that comes from configuration (local development keys).
 *
 * <p>Implementations must be thread-safe. Failures are reported as {@link KmsUnavailableException}
 * when retrying later may succeed (network, throttling, 5xx) and as {@link KmsAccessException}
 * when it will not (authentication, permission, missing or disabled key, malformed wrapped key).
 * Messages name the vault, key, operation and status, never secrets or key material.
 */
public interface KeyEncryptionKeyProvider extends AutoCloseable {

    /**
     * Wraps a data key with the current KEK version. The returned {@link WrappedKey#keyId()} names that
     * exact version, so records written before a KEK rotation still decrypt after it.
     */
    WrappedKey wrap(byte[] dataKey);

    /** Unwraps a data key. The caller owns the returned array and wipes it when done. */
    byte[] unwrap(WrappedKey wrappedKey);

    /**
     * Signs a new data key's {@link DataKeyStatement} (built from the key's 32-byte commitment) with the configured
     * signing key, once per data key; null when this provider is not configured to sign.
     */
    default DataKeySignature signDataKey(byte[] commitment) {
        return null;
    }

    /**
     * Checks an envelope's data key signature (null when it carries none) over the {@link DataKeyStatement} of
     * {@code commitment}, before its key is unwrapped. A provider configured to require signatures throws a
     * {@link KmsAccessException} whose {@link KmsAccessException#isRecordProblem()} is true when the signature is
     * missing, by a key it does not trust, or does not verify; others accept anything, at no cost.
     */
    default void verifyDataKey(DataKeySignature signature, byte[] commitment) {
    }

    /** Whether this provider verifies data key signatures ({@link #verifyDataKey} refuses unsigned data keys). */
    default boolean requiresSignedDataKeys() {
        return false;
    }

    /**
     * Whether this provider is configured to unwrap data keys wrapped by {@code keyId} (an envelope's: its vault,
     * its allowed keys). Decided without a remote call; {@link #unwrap} refuses the same ids.
     */
    default boolean canUnwrap(String keyId) {
        return true;
    }

    /**
     * A provider that wraps with the key named {@code keyName} instead, sharing this provider's vault, credentials
     * and clients (per-record key selection, {@code kek.key.template}). Closing it leaves this provider open.
     *
     * @throws UnsupportedOperationException when this kind of provider has no keys selectable by name
     */
    default KeyEncryptionKeyProvider forKey(String keyName) {
        throw new UnsupportedOperationException(description() + " cannot choose keys by name per record");
    }

    /**
     * Checks that the key can be used for the given operation (called from {@code configure()} when the
     * user asks for a start-up check). The default does nothing.
     */
    default void verify(KeyOperation operation) {
    }

    /** Which key this provider uses, for logs and error messages. Never contains secrets. */
    String description();

    /** Number of calls made to a remote key service so far (0 for local keys). */
    default long remoteCalls() {
        return 0;
    }

    /** Releases clients, threads and key material. */
    @Override
    void close();

    /** The two things a KEK is used for. */
    enum KeyOperation {
        WRAP, UNWRAP
    }
}
