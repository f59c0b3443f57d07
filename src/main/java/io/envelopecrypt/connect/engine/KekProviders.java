package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.kms.KekProviderFactory;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.azure.AzureKeyVaultProviderFactory;
import io.envelopecrypt.connect.kms.local.LocalKekProviderFactory;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.List;
import java.util.Locale;

/**
 * The key-encryption-key providers this plugin ships, and the {@code kek.provider} setting that picks one.
 * A new provider is one more {@link KekProviderFactory} in {@link #FACTORIES}; nothing else switches on names.
 */
public final class KekProviders {
    public static final String PROVIDER = "kek.provider";
    public static final String VERIFY_ON_START = "kek.verify.on.start";
    public static final String GROUP = "Key-encryption key";

    /** In documentation order: production first. */
    public static final List<KekProviderFactory> FACTORIES = List.of(
            new AzureKeyVaultProviderFactory(), new LocalKekProviderFactory());

    private KekProviders() {
    }

    /** Adds {@code kek.provider}, {@code kek.verify.on.start} and every provider's settings to {@code def}. */
    public static ConfigDef addTo(ConfigDef def) {
        String[] names = FACTORIES.stream().map(KekProviderFactory::name).toArray(String[]::new);
        StringBuilder doc = new StringBuilder("Where the key-encryption key (KEK) that wraps data keys lives.");
        for (KekProviderFactory f : FACTORIES) {
            doc.append(" '").append(f.name()).append("': ").append(f.description()).append('.');
        }
        def.define(PROVIDER, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                ConfigDef.CaseInsensitiveValidString.in(names), ConfigDef.Importance.HIGH, doc.toString(),
                GROUP, 1, ConfigDef.Width.SHORT, "KEK provider");
        def.define(VERIFY_ON_START, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW,
                "Check when the task starts that the KEK exists and allows the operation this transform needs "
                        + "(wrapKey for EncryptPayload, unwrapKey for DecryptPayload), so a wrong key, "
                        + "permission or credential fails the task at once instead of at the first record.",
                GROUP, 2, ConfigDef.Width.SHORT, "Verify KEK on start");
        FACTORIES.forEach(f -> f.define(def));
        return def;
    }

    /** The factory named by {@code kek.provider}. */
    public static KekProviderFactory factory(String name) {
        for (KekProviderFactory f : FACTORIES) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new ConfigException(PROVIDER, name, "unknown KEK provider");
    }

    /**
     * Builds the configured provider for {@code operation}, verified at once when {@code kek.verify.on.start}
     * says so.
     */
    public static KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        KekProviderFactory factory = factory(config.getString(PROVIDER).toLowerCase(Locale.ROOT));
        KeyEncryptionKeyProvider kek = factory.create(config, operation);
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
