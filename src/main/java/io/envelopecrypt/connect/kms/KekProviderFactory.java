package io.envelopecrypt.connect.kms;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

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
     * What keeps these settings from working for {@code operation}, by the key to change, as one sentence each that
     * says what to do: reported by Connect's config validation on that key, and thrown before {@link #create}.
     *
     * @param parsed          every setting, parsed (a missing or unparsable one is null)
     * @param keyPerRecord    true when records choose the key by name (kek.key.template), so none is configured
     */
    default Map<String, String> problems(Map<String, ?> parsed, KeyEncryptionKeyProvider.KeyOperation operation,
                                         boolean keyPerRecord) {
        return Map.of();
    }

    /**
     * Builds the provider for a transform or engine that needs {@code operation}, once {@link #problems} found none
     * (the engine checks). Anything else wrong is reported as a {@link org.apache.kafka.common.config.ConfigException}
     * naming the key.
     */
    KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation);
}
