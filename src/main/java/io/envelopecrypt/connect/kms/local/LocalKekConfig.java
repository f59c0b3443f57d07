package io.envelopecrypt.connect.kms.local;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Configuration of development-only local keys. */
public final class LocalKekConfig {
    public static final String KEY = "local.key";
    public static final String KEY_FILE = "local.key.file";
    public static final String KEY_NAME = "local.key.name";
    public static final String GROUP = "Local development keys (NOT for production)";

    private LocalKekConfig() {
    }

    public static void addTo(ConfigDef def) {
        def.define(KEY, ConfigDef.Type.PASSWORD, null, new KeyValidator(), ConfigDef.Importance.MEDIUM,
                "Development only. A 256-bit AES key, base64 (generate one with `openssl rand -base64 32`). "
                        + "Use with kek.provider=local. Prefer a config provider reference such as "
                        + "${file:/path/secrets.properties:local.key} over a literal key.",
                GROUP, 1, ConfigDef.Width.LONG, "Local key");
        def.define(KEY_FILE, ConfigDef.Type.STRING, null, new ConfigDef.NonEmptyString(), ConfigDef.Importance.MEDIUM,
                "Development only. Path to a file of base64 256-bit AES keys, one per line ('#' starts a comment). "
                        + "The first key wraps new data keys; all of them unwrap, so a key can be rotated by adding "
                        + "a new first line. Use instead of local.key.",
                GROUP, 2, ConfigDef.Width.LONG, "Local key file");
        def.define(KEY_NAME, ConfigDef.Type.STRING, "dev", new ConfigDef.NonEmptyStringWithoutControlChars(),
                ConfigDef.Importance.LOW,
                "A label for the local key set, recorded in each envelope's keyId as 'local:<name>/<fingerprint>'.",
                GROUP, 3, ConfigDef.Width.SHORT, "Local key name");
    }

    public static LocalKeyEncryptionKeyProvider createProvider(AbstractConfig config) {
        Password key = config.getPassword(KEY);
        String file = config.getString(KEY_FILE);
        if ((key == null) == (file == null)) {
            throw new ConfigException(KEY, "[hidden]",
                    "With kek.provider=local set exactly one of " + KEY + " and " + KEY_FILE);
        }
        List<byte[]> keys = new ArrayList<>();
        if (key != null) {
            keys.add(decode(key.value(), KEY));
        } else {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(KEY_FILE, file, "cannot read the key file (" + e.getClass().getSimpleName() + ")");
            }
            for (String line : lines) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    keys.add(decode(trimmed, KEY_FILE));
                }
            }
            if (keys.isEmpty()) {
                throw new ConfigException(KEY_FILE, file, "the key file holds no key");
            }
        }
        return new LocalKeyEncryptionKeyProvider(config.getString(KEY_NAME), keys);
    }

    static byte[] decode(String base64, String configName) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(configName, "[hidden]", "a local key must be base64");
        }
        if (raw.length != 32) {
            throw new ConfigException(configName, "[hidden]",
                    "a local key must be 32 bytes (256 bits) once base64-decoded, this one is " + raw.length);
        }
        return raw;
    }

    /** Checks a local key's shape without ever echoing it. */
    static final class KeyValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof Password p && p.value() != null && !p.value().isBlank()
                    && !p.value().startsWith("${")) {
                decode(p.value(), name);
            }
        }

        @Override
        public String toString() {
            return "base64 of 32 bytes";
        }
    }
}
