package io.envelopecrypt.connect.kms.local;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Prints a fresh random 256-bit local development key (base64), for {@code local.key} or one line of
 * {@code local.key.file}. Equivalent to {@code openssl rand -base64 32}.
 *
 * <pre>java -cp 'lib/*' io.envelopecrypt.connect.kms.local.LocalKeyGenerator</pre>
 */
public final class LocalKeyGenerator {

    private LocalKeyGenerator() {
    }

    public static String generate() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public static void main(String[] args) {
        System.out.println(generate());
        System.err.println("Local keys are for development only: never use them in production.");
    }
}
