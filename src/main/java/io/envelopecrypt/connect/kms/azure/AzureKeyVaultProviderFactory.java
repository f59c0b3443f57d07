package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.kms.KekProviderFactory;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    public Map<String, String> problems(Map<String, ?> parsed, KeyEncryptionKeyProvider.KeyOperation operation,
                                        boolean keyPerRecord) {
        Map<String, String> out = new LinkedHashMap<>();
        if (parsed.get(AzureKeyVaultConfig.VAULT_URL) == null) {
            out.put(AzureKeyVaultConfig.VAULT_URL, "Required with kek.provider=" + NAME
                    + ": the vault's URL, e.g. https://<vault name>.vault.azure.net");
        }
        Object keyName = parsed.get(AzureKeyVaultConfig.KEY_NAME);
        if (operation == KeyEncryptionKeyProvider.KeyOperation.WRAP && keyName == null && !keyPerRecord) {
            out.put(AzureKeyVaultConfig.KEY_NAME, "Required to encrypt with kek.provider=" + NAME
                    + ": the RSA key that wraps data keys (or choose one per record with kek.key.template)");
        }
        Object allowed = parsed.get(AzureKeyVaultConfig.KEYS_ALLOWED);
        if (operation == KeyEncryptionKeyProvider.KeyOperation.UNWRAP && keyName == null
                && (allowed == null || ((List<?>) allowed).isEmpty())) {
            out.put(AzureKeyVaultConfig.KEYS_ALLOWED, "Decrypting unwraps only with keys it is told to trust: set "
                    + AzureKeyVaultConfig.KEY_NAME + ", or this to key names (name/version for one version, tenant-* for "
                    + "names with a prefix, * for any key in the vault)");
        }
        if (parsed.get(AzureKeyVaultConfig.KEY_VERSION) != null && (keyName == null || keyPerRecord)) {
            out.put(AzureKeyVaultConfig.KEY_VERSION, keyPerRecord ? "Cannot be combined with kek.key.template (each "
                    + "record's key uses its current version)" : "Needs " + AzureKeyVaultConfig.KEY_NAME);
        }
        Object signing = parsed.get(AzureKeyVaultConfig.SIGNING_KEY_NAME);
        if (signing != null && signing.toString().equalsIgnoreCase(String.valueOf(keyName))) {
            out.put(AzureKeyVaultConfig.SIGNING_KEY_NAME, "Must name a key of its own, not the key that wraps data keys");
        }
        Object type = parsed.get(AzureKeyVaultConfig.CREDENTIAL_TYPE);
        List<String> needed = "client-secret".equalsIgnoreCase(String.valueOf(type))
                ? List.of(AzureKeyVaultConfig.TENANT_ID, AzureKeyVaultConfig.CLIENT_ID, AzureKeyVaultConfig.CLIENT_SECRET)
                : "client-certificate".equalsIgnoreCase(String.valueOf(type))
                ? List.of(AzureKeyVaultConfig.TENANT_ID, AzureKeyVaultConfig.CLIENT_ID, AzureKeyVaultConfig.CLIENT_CERTIFICATE_PATH)
                : List.of();
        for (String key : needed) {
            if (parsed.get(key) == null) {
                out.put(key, "Required with azure.credential.type=" + type);
            }
        }
        return out;
    }

    @Override
    public KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        return AzureKeyVaultKeyProvider.create(new AzureKeyVaultConfig(config));
    }
}
