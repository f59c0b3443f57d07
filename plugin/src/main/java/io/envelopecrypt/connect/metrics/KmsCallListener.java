package io.envelopecrypt.connect.metrics;

/** Told about every call a transform makes to its key-encryption-key provider. */
@FunctionalInterface
public interface KmsCallListener {
    void onKekCall(String operation, long nanos, boolean succeeded);
}
