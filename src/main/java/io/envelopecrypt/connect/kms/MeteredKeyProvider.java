package io.envelopecrypt.connect.kms;

/** Times every wrap, unwrap and data key signature of a provider and reports them to a listener. */
public final class MeteredKeyProvider implements KeyEncryptionKeyProvider {
    private final KeyEncryptionKeyProvider delegate;
    private final KekCallListener listener;

    public MeteredKeyProvider(KeyEncryptionKeyProvider delegate, KekCallListener listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            WrappedKey w = delegate.wrap(dataKey);
            ok = true;
            return w;
        } finally {
            listener.onKekCall("wrap", System.nanoTime() - start, ok);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrappedKey) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            byte[] k = delegate.unwrap(wrappedKey);
            ok = true;
            return k;
        } finally {
            listener.onKekCall("unwrap", System.nanoTime() - start, ok);
        }
    }

    @Override
    public DataKeySignature signDataKey(byte[] commitment) {
        long start = System.nanoTime();
        DataKeySignature s = null;
        boolean ok = false;
        try {
            s = delegate.signDataKey(commitment);
            ok = true;
            return s;
        } finally {
            if (s != null || !ok) { // a provider that does not sign made no call
                listener.onKekCall("sign", System.nanoTime() - start, ok);
            }
        }
    }

    @Override
    public void verifyDataKey(DataKeySignature signature, byte[] commitment) {
        delegate.verifyDataKey(signature, commitment);
    }

    @Override
    public boolean requiresSignedDataKeys() {
        return delegate.requiresSignedDataKeys();
    }

    @Override
    public boolean canUnwrap(String keyId) {
        return delegate.canUnwrap(keyId);
    }

    @Override
    public KeyEncryptionKeyProvider forKey(String keyName) {
        return new MeteredKeyProvider(delegate.forKey(keyName), listener);
    }

    @Override
    public void verify(KeyOperation operation) {
        delegate.verify(operation);
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public long remoteCalls() {
        return delegate.remoteCalls();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
