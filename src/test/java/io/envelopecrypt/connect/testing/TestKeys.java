package io.envelopecrypt.connect.testing;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Fixed development keys and configs for tests. */
public final class TestKeys {
    /** 32 bytes, base64. Test-only. */
    public static final String LOCAL_KEY = Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    public static final String OTHER_LOCAL_KEY = Base64.getEncoder().encodeToString(
            "fedcba9876543210fedcba9876543210".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private TestKeys() {
    }

    public static Map<String, Object> localConfig() {
        Map<String, Object> props = new HashMap<>();
        props.put("kek.provider", "local");
        props.put("local.key", LOCAL_KEY);
        return props;
    }

    public static Map<String, Object> localConfig(String key, Object... more) {
        Map<String, Object> props = localConfig();
        props.put("local.key", key);
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        return props;
    }
}
