package io.envelopecrypt.connect.kms;

/** Told about every call made to a key-encryption-key provider (see {@link MeteredKeyProvider}). */
@FunctionalInterface
public interface KekCallListener {
    KekCallListener NONE = (operation, nanos, succeeded) -> { };

    void onKekCall(String operation, long nanos, boolean succeeded);
}
