package io.envelopecrypt.connect.kms.local;

import io.envelopecrypt.connect.kms.KekProviderFactory;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/** {@code kek.provider=local}: AES keys from configuration, for development only. */
public final class LocalKekProviderFactory implements KekProviderFactory {
    public static final String NAME = "local";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "AES keys from this configuration, for development only (never in production)";
    }

    @Override
    public void define(ConfigDef def) {
        LocalKekConfig.addTo(def);
    }

    @Override
    public boolean supportsKeyId(String keyId) {
        return keyId != null && keyId.startsWith(LocalKeyEncryptionKeyProvider.KEY_ID_PREFIX);
    }

    @Override
    public Map<String, String> problems(Map<String, ?> parsed, KeyEncryptionKeyProvider.KeyOperation operation,
                                        boolean keyPerRecord) {
        boolean key = parsed.get(LocalKekConfig.KEY) != null;
        boolean file = parsed.get(LocalKekConfig.KEY_FILE) != null;
        if (key == file) {
            return Map.of(LocalKekConfig.KEY, key ? "Set only one of local.key and local.key.file"
                    : "Required with kek.provider=local: set local.key (a base64 256-bit key, e.g. from "
                    + "'openssl rand -base64 32') or local.key.file");
        }
        return Map.of();
    }

    @Override
    public KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        return LocalKekConfig.createProvider(config);
    }
}
