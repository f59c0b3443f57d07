package io.envelopecrypt.connect.kms;

/**
 * Told about every call made to a key-encryption-key provider (see {@link MeteredKeyProvider}) and, with per-record
 * key selection, which key each record used.
 */
@FunctionalInterface
public interface KekCallListener {
    KekCallListener NONE = (operation, nanos, succeeded) -> { };

    void onKekCall(String operation, long nanos, boolean succeeded);

    /**
     * A record was encrypted under the key named {@code keyName} (per-record key selection), or decrypted from an
     * envelope naming it (its key id without the version); names beyond a bounded number arrive as one shared
     * name, so listeners can keep a metric per name.
     */
    default void onRecordForKey(String keyName) {
    }
}
