package io.envelopecrypt.connect.testing;

import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.kms.WrappedKey;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A KEK in memory (AES key wrap, RFC 3394) for tests of the engine and the transforms that are not about Azure's
 * protocol: no HTTP, no tokens, calls counted, and failures on demand.
 */
public final class InMemoryKekProvider implements KeyEncryptionKeyProvider {
    private final String keyId;
    private final SecretKeySpec kek;
    private final AtomicLong wraps = new AtomicLong();
    private final AtomicLong unwraps = new AtomicLong();
    private volatile boolean unavailable;
    private volatile boolean closed;

    public InMemoryKekProvider(String name) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.kek = new SecretKeySpec(k, "AES");
        this.keyId = "memory:" + name;
    }

    private InMemoryKekProvider(String keyId, SecretKeySpec kek) {
        this.keyId = keyId;
        this.kek = kek;
    }

    /** Another provider for the same KEK, with its own counters and lifecycle (the other side of a topic). */
    public InMemoryKekProvider sameKey() {
        return new InMemoryKekProvider(keyId, kek);
    }

    /** While set, every call fails as a key service outage would (retriable). */
    public void setUnavailable(boolean down) {
        unavailable = down;
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        check();
        wraps.incrementAndGet();
        try {
            Cipher c = Cipher.getInstance("AESWrap");
            c.init(Cipher.WRAP_MODE, kek);
            return new WrappedKey(keyId, "A256KW", c.wrap(new SecretKeySpec(dataKey, "AES")));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrappedKey) {
        check();
        unwraps.incrementAndGet();
        if (!keyId.equals(wrappedKey.keyId())) {
            throw new KmsAccessException(KmsAccessException.Reason.KEY_NOT_FOUND, "not this in-memory key");
        }
        try {
            Cipher c = Cipher.getInstance("AESWrap");
            c.init(Cipher.UNWRAP_MODE, kek);
            return c.unwrap(wrappedKey.wrapped(), "AES", Cipher.SECRET_KEY).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new KmsAccessException(KmsAccessException.Reason.INVALID_WRAPPED_KEY, "the wrapped key was rejected");
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (unavailable) {
            throw new KmsUnavailableException("in-memory KEK made unavailable by the test", null);
        }
    }

    public long wraps() {
        return wraps.get();
    }

    public long unwraps() {
        return unwraps.get();
    }

    /** Counted as remote calls, as a key service's would be. */
    @Override
    public long remoteCalls() {
        return wraps.get() + unwraps.get();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String description() {
        return "in-memory KEK " + keyId;
    }

    @Override
    public void close() {
        closed = true;
    }
}
