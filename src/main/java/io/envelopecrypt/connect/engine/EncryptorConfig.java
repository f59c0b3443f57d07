package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/** The settings of an {@link EnvelopeEncryptor}: the KEK provider, the data-key rotation limits, the context. */
public class EncryptorConfig extends AbstractConfig {
    public static final String DEK_MAX_RECORDS = "dek.max.records";
    public static final String DEK_MAX_AGE_MS = "dek.max.age.ms";

    /** 2^32 GCM invocations per key: NIST SP 800-38D's limit, kept although IVs come from a per-key counter. */
    public static final long GCM_INVOCATION_LIMIT = 1L << 32;
    public static final long DEFAULT_DEK_MAX_RECORDS = 1_000_000L;
    public static final long DEFAULT_DEK_MAX_AGE_MS = 60 * 60 * 1000L;
    public static final String GROUP_DATA_KEYS = "Data keys";

    public static final ConfigDef CONFIG_DEF = addTo(new ConfigDef());

    public EncryptorConfig(Map<?, ?> props) {
        this(CONFIG_DEF, props);
    }

    /** For a larger definition that includes {@link #addTo}'s keys (a transform's, a serializer's). */
    protected EncryptorConfig(ConfigDef definition, Map<?, ?> props) {
        super(definition, props, false);
    }

    /**
     * Settings outside Connect, where config providers ({@code config.providers=env}, {@code ${env:...}})
     * are declared in the same map, as in a worker's properties.
     */
    public static EncryptorConfig resolvingConfigProviders(Map<String, ?> props) {
        return new EncryptorConfig(CONFIG_DEF, props, props);
    }

    protected EncryptorConfig(ConfigDef definition, Map<?, ?> props, Map<String, ?> configProviderProps) {
        super(definition, props, configProviderProps, false);
    }

    /** Adds the encrypting engine's keys to {@code def}. */
    public static ConfigDef addTo(ConfigDef def) {
        KekProviders.addTo(def);
        EnvelopeContext.define(def, EnvelopeContext.WRITER_DOC, GROUP_DATA_KEYS, 3);
        return def.define(DEK_MAX_RECORDS, ConfigDef.Type.LONG, DEFAULT_DEK_MAX_RECORDS,
                        ConfigDef.Range.between(1, GCM_INVOCATION_LIMIT), ConfigDef.Importance.LOW,
                        "Records encrypted under one data key before a new one is made (and wrapped by the KEK). "
                                + "At most 2^32 (NIST SP 800-38D's GCM limit per key); the default stays 4096 times below that.",
                        GROUP_DATA_KEYS, 1, ConfigDef.Width.SHORT, "Records per data key")
                .define(DEK_MAX_AGE_MS, ConfigDef.Type.LONG, DEFAULT_DEK_MAX_AGE_MS,
                        ConfigDef.Range.atLeast(1000), ConfigDef.Importance.LOW,
                        "Age after which a data key is replaced, whatever its record count.",
                        GROUP_DATA_KEYS, 2, ConfigDef.Width.SHORT, "Data key lifetime");
    }

    public EnvelopeContext context() {
        return EnvelopeContext.parse(getString(EnvelopeContext.CONFIG));
    }

    public long dekMaxRecords() {
        return getLong(DEK_MAX_RECORDS);
    }

    public long dekMaxAgeMs() {
        return getLong(DEK_MAX_AGE_MS);
    }

    /** A new provider for wrapping; the caller owns it. */
    public KeyEncryptionKeyProvider kekProvider() {
        return KekProviders.create(this, KeyEncryptionKeyProvider.KeyOperation.WRAP);
    }
}
