package io.envelopecrypt.connect.kms;

import io.envelopecrypt.connect.kms.azure.AzureKeyVaultConfig;
import io.envelopecrypt.connect.kms.azure.AzureKeyVaultKeyProvider;
import io.envelopecrypt.connect.kms.local.LocalKekConfig;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Locale;

/** The configuration keys that choose and configure the key-encryption-key provider, shared by both transforms. */
public final class KekConfig {
    public static final String PROVIDER = "kek.provider";
    public static final String PROVIDER_AZURE = "azure-keyvault";
    public static final String PROVIDER_LOCAL = "local";
    public static final String VERIFY_ON_START = "kek.verify.on.start";

    public static final String GROUP = "Key-encryption key";

    private KekConfig() {
    }

    public static ConfigDef addTo(ConfigDef def) {
        def.define(PROVIDER, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                ConfigDef.CaseInsensitiveValidString.in(PROVIDER_AZURE, PROVIDER_LOCAL), ConfigDef.Importance.HIGH,
                "Where the key-encryption key (KEK) that wraps data keys lives. '" + PROVIDER_AZURE
                        + "': an RSA key in Azure Key Vault (production). '" + PROVIDER_LOCAL
                        + "': AES keys from this configuration, for development only (never in production).",
                GROUP, 1, ConfigDef.Width.SHORT, "KEK provider");
        def.define(VERIFY_ON_START, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW,
                "Check when the task starts that the KEK exists and allows the operation this transform needs "
                        + "(wrapKey for EncryptPayload, unwrapKey for DecryptPayload), so a wrong key, "
                        + "permission or credential fails the task at once instead of at the first record.",
                GROUP, 2, ConfigDef.Width.SHORT, "Verify KEK on start");
        LocalKekConfig.addTo(def);
        AzureKeyVaultConfig.addTo(def);
        return def;
    }

    /**
     * Builds the configured provider for a transform that needs {@code operation}. Cross-key problems
     * are reported as ConfigExceptions naming the key.
     */
    public static KeyEncryptionKeyProvider createProvider(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        String provider = config.getString(PROVIDER).toLowerCase(Locale.ROOT);
        KeyEncryptionKeyProvider kek = switch (provider) {
            case PROVIDER_LOCAL -> LocalKekConfig.createProvider(config);
            case PROVIDER_AZURE -> {
                if (config.getString(AzureKeyVaultConfig.VAULT_URL) == null) {
                    throw new ConfigException(AzureKeyVaultConfig.VAULT_URL, null, "required with " + PROVIDER + "=" + PROVIDER_AZURE);
                }
                if (operation == KeyEncryptionKeyProvider.KeyOperation.WRAP
                        && config.getString(AzureKeyVaultConfig.KEY_NAME) == null) {
                    throw new ConfigException(AzureKeyVaultConfig.KEY_NAME, null, "required to encrypt with " + PROVIDER
                            + "=" + PROVIDER_AZURE);
                }
                yield AzureKeyVaultKeyProvider.create(new AzureKeyVaultConfig(config));
            }
            default -> throw new IllegalStateException("validator admitted an unknown provider");
        };
        if (config.getBoolean(VERIFY_ON_START)) {
            try {
                kek.verify(operation);
            } catch (RuntimeException e) {
                kek.close();
                throw e;
            }
        }
        return kek;
    }
}
