package io.envelopecrypt.connect.kms;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Makes one kind of {@link KeyEncryptionKeyProvider} from configuration: the extension point behind
 * {@code kek.provider}. A factory defines its own settings, says which key ids it can unwrap, and never
 * depends on the list of factories it is part of.
 */
public interface KekProviderFactory {

    /** The value of {@code kek.provider} that selects this factory, e.g. {@code azure-keyvault}. */
    String name();

    /** One sentence for the {@code kek.provider} documentation. */
    String description();

    /** Adds this provider's settings (all optional at the ConfigDef level) to {@code def}. */
    void define(ConfigDef def);

    /**
     * Whether a key id written into an envelope (e.g. {@code https://<vault>/keys/<name>/<version>}) names a
     * key of this kind; says nothing about whether a configured provider may use it.
     */
    boolean supportsKeyId(String keyId);

    /**
     * Builds the provider for a transform or engine that needs {@code operation}. Problems between settings
     * are reported as {@link org.apache.kafka.common.config.ConfigException}s naming the key.
     */
    KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation);
}
