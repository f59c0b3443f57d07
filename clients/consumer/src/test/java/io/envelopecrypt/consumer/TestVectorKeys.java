package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.DataKeySignature;
import io.envelopecrypt.connect.kms.DataKeyStatement;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.kms.local.LocalKeyEncryptionKeyProvider;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * The key-encryption keys of test-vectors/: an RSA key standing in for an Azure Key Vault key (its private
 * half published on purpose, so that any implementation can unwrap locally) and a local development AES key.
 * Both protect nothing but the test vectors.
 */
final class TestVectorKeys implements KeyEncryptionKeyProvider {
    static final String RSA_KEY_ID =
            "https://test-vectors.vault.azure.net/keys/test-vector-kek/5b2c3e1f7a9d4e0c8b6a2f1e3d5c7b9a";
    static final String LOCAL_KEY_BASE64 = Base64.getEncoder().encodeToString(
            "test-vector-key-not-a-secret-32b".getBytes(StandardCharsets.US_ASCII));
    static final String LOCAL_KEY_NAME = "test-vector";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final LocalKeyEncryptionKeyProvider local;
    private final SecureRandom oaepRandom;
    /** Which algorithm {@link #wrap} uses next (a vector picks it). */
    private String wrapAlgorithm = "RSA-OAEP-256";

    TestVectorKeys(String privateKeyPkcs8Pem, long oaepSeed) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(privateKeyPkcs8Pem
                    .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""));
            privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            RSAPrivateCrtKey crt = (RSAPrivateCrtKey) privateKey;
            publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an RSA PKCS#8 key", e);
        }
        local = new LocalKeyEncryptionKeyProvider(LOCAL_KEY_NAME, List.of(Base64.getDecoder().decode(LOCAL_KEY_BASE64)));
        oaepRandom = new CounterRandom(oaepSeed);
    }

    /** A fresh 3072-bit RSA key as PKCS#8 PEM (used once, when the committed key file is first written). */
    static String newRsaKeyPem() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(3072);
        KeyPair pair = g.generateKeyPair();
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(publicKey.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    String localKeyId() {
        return local.currentKeyId();
    }

    void useWrapAlgorithm(String algorithm) {
        wrapAlgorithm = algorithm;
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        if (wrapAlgorithm.equals(LocalKeyEncryptionKeyProvider.WRAP_ALGORITHM)) {
            return local.wrap(dataKey);
        }
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.ENCRYPT_MODE, publicKey, oaep(wrapAlgorithm), oaepRandom);
            return new WrappedKey(RSA_KEY_ID, wrapAlgorithm, c.doFinal(dataKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrappedKey) {
        if (!wrappedKey.keyId().equals(RSA_KEY_ID)) {
            return local.unwrap(wrappedKey);
        }
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.DECRYPT_MODE, privateKey, oaep(wrappedKey.algorithm()));
            return c.doFinal(wrappedKey.wrapped());
        } catch (GeneralSecurityException e) {
            throw new KmsAccessException(KmsAccessException.Reason.INVALID_WRAPPED_KEY, "unwrapping failed");
        }
    }

    /**
     * An RS256 data key signature by the same RSA key, under its key id (deterministic, so the vectors are stable).
     * In production the signing key is a separate Key Vault key; the format does not care which.
     */
    DataKeySignature rs256(byte[] statement) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(privateKey);
            s.update(statement);
            return new DataKeySignature(RSA_KEY_ID, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies signed envelopes (as a reader requiring signatures would); unsigned ones pass, as for such a reader's peers. */
    @Override
    public void verifyDataKey(DataKeySignature signature, byte[] commitment) {
        if (signature == null) {
            return;
        }
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(publicKey);
            s.update(DataKeyStatement.of(commitment));
            if (!signature.signingKeyId().equals(RSA_KEY_ID) || !s.verify(signature.signature())) {
                throw new KmsAccessException(KmsAccessException.Reason.SIGNATURE_REJECTED, "the signature does not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RSA-OAEP-256: OAEP with SHA-256 and MGF1-SHA-256 (as Azure Key Vault); RSA-OAEP: SHA-1 for both. */
    private static OAEPParameterSpec oaep(String algorithm) {
        return switch (algorithm) {
            case "RSA-OAEP-256" -> new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
            case "RSA-OAEP" -> new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
            default -> throw new IllegalArgumentException("unknown wrap algorithm " + algorithm);
        };
    }

    @Override
    public String description() {
        return "test vector keys";
    }

    @Override
    public void close() {
        local.close();
    }

    /** OAEP's random seed from SHA-256(seed ‖ counter), so that regenerating the vectors gives the same bytes. */
    static final class CounterRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final long seed;
        private long counter;

        CounterRandom(long seed) {
            this.seed = seed;
        }

        @Override
        public synchronized void nextBytes(byte[] bytes) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (int i = 0; i < bytes.length; i += 32) {
                    sha.update(java.nio.ByteBuffer.allocate(16).putLong(seed).putLong(counter++).array());
                    byte[] block = sha.digest();
                    System.arraycopy(block, 0, bytes, i, Math.min(32, bytes.length - i));
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
