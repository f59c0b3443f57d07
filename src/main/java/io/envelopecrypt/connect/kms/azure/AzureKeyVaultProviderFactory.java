package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.kms.KekProviderFactory;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** {@code kek.provider=azure-keyvault}: RSA keys in Azure Key Vault (production). */
public final class AzureKeyVaultProviderFactory implements KekProviderFactory {
    public static final String NAME = "azure-keyvault";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "an RSA key in Azure Key Vault (production)";
    }

    @Override
    public void define(ConfigDef def) {
        AzureKeyVaultConfig.addTo(def);
    }

    @Override
    public boolean supportsKeyId(String keyId) {
        return KeyVaultKeyId.looksLikeKeyId(keyId);
    }

    @Override
    public KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        AzureKeyVaultConfig azure = new AzureKeyVaultConfig(config);
        if (config.getString(AzureKeyVaultConfig.VAULT_URL) == null) {
            throw new ConfigException(AzureKeyVaultConfig.VAULT_URL, null, "required with kek.provider=" + NAME);
        }
        if (operation == KeyEncryptionKeyProvider.KeyOperation.WRAP && azure.keyName() == null) {
            throw new ConfigException(AzureKeyVaultConfig.KEY_NAME, null, "required to encrypt with kek.provider=" + NAME);
        }
        if (operation == KeyEncryptionKeyProvider.KeyOperation.UNWRAP && azure.keysAllowed().isEmpty()) {
            throw new ConfigException("Missing " + AzureKeyVaultConfig.KEYS_ALLOWED + ": decrypting unwraps only with keys "
                    + "it is told to trust; set " + AzureKeyVaultConfig.KEY_NAME + ", or " + AzureKeyVaultConfig.KEYS_ALLOWED
                    + " to key names (name/version for one version, * for any key in the vault)");
        }
        return AzureKeyVaultKeyProvider.create(azure);
    }
}
