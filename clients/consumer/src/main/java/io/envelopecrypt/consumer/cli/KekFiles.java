package io.envelopecrypt.consumer.cli;

import io.envelopecrypt.connect.engine.DecryptorConfig;
import io.envelopecrypt.connect.engine.KekProviders;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * KEK settings from a properties file, with the transforms' keys ({@code kek.provider}, {@code azure.*},
 * {@code local.*}). Secrets can stay out of the file through Kafka config providers, e.g.
 * {@code config.providers=env} and {@code azure.client.secret=${env:AZURE_CLIENT_SECRET}}.
 */
final class KekFiles {
    private static final ConfigDef KEK_KEYS = KekProviders.addTo(new ConfigDef());

    private KekFiles() {
    }

    static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, "Cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        return p;
    }

    static Map<String, Object> asMap(Properties p) {
        Map<String, Object> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }

    /** All of the decrypting engine's settings (KEK, data key cache, {@code envelope.context}) from the file. */
    static DecryptorConfig decryptorConfig(Path file) {
        try {
            return DecryptorConfig.resolvingConfigProviders(asMap(load(file)));
        } catch (ConfigException e) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, file + ": " + e.getMessage());
        }
    }

    /** The KEK or keyring ({@code kek.ring}) the file describes, for {@code operation}. */
    static Keyring keyring(Path file, KeyEncryptionKeyProvider.KeyOperation operation) {
        Map<String, Object> settings = asMap(load(file));
        try {
            // The same map configures the config providers, as in a Connect worker's properties.
            return KekProviders.createRing(new AbstractConfig(KEK_KEYS, settings, settings, false), operation,
                    KekCallListener.NONE);
        } catch (ConfigException e) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, file + ": " + e.getMessage());
        }
    }
}
