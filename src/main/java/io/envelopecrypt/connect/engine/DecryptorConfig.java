package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.registry.SchemaRegistryClient;
import io.envelopecrypt.connect.registry.SchemaRegistrySettings;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/** The settings of an {@link EnvelopeDecryptor}: the KEK provider, the unwrapped-key cache, the context. */
public class DecryptorConfig extends AbstractConfig {
    public static final String DEK_CACHE_MAX_ENTRIES = "dek.cache.max.entries";
    public static final String DEK_CACHE_TTL_MS = "dek.cache.ttl.ms";
    public static final String DEK_UNWRAP_FAILURES_PER_MINUTE = "dek.unwrap.failures.per.minute";
    public static final String GROUP_DECRYPT = "Decryption";

    public static final ConfigDef CONFIG_DEF = ConfigChecks.withChecks(addTo(new ConfigDef()), DecryptorConfig::problems);

    public DecryptorConfig(Map<?, ?> props) {
        this(CONFIG_DEF, props);
    }

    /** For a larger definition that includes {@link #addTo}'s keys (a transform's, a deserializer's). */
    protected DecryptorConfig(ConfigDef definition, Map<?, ?> props) {
        super(definition, props, false);
    }

    /**
     * Settings outside Connect, where config providers ({@code config.providers=env}, {@code ${env:...}})
     * are declared in the same map, as in a worker's properties.
     */
    public static DecryptorConfig resolvingConfigProviders(Map<String, ?> props) {
        return new DecryptorConfig(CONFIG_DEF, props, props);
    }

    protected DecryptorConfig(ConfigDef definition, Map<?, ?> props, Map<String, ?> configProviderProps) {
        super(definition, props, configProviderProps, false);
    }

    /** Adds the decrypting engine's keys to {@code def}. */
    public static ConfigDef addTo(ConfigDef def) {
        KekProviders.addTo(def);
        EnvelopeContext.define(def, EnvelopeContext.READER_DOC, GROUP_DECRYPT, 5);
        SchemaRegistrySettings.addTo(def, "Where payload schemas are fetched for envelopes written with "
                + "payload.schema.location=registry (envelopes that carry their schema need no registry).");
        return def.define(DEK_CACHE_MAX_ENTRIES, ConfigDef.Type.INT, 1000, ConfigDef.Range.between(1, 1_000_000),
                        ConfigDef.Importance.LOW,
                        "Unwrapped data keys kept in memory. Each distinct data key costs one Key Vault unwrap while it "
                                + "stays cached; evicted keys are wiped.",
                        GROUP_DECRYPT, 2, ConfigDef.Width.SHORT, "Data key cache size")
                .define(DEK_CACHE_TTL_MS, ConfigDef.Type.LONG, 60 * 60 * 1000L, ConfigDef.Range.atLeast(1000),
                        ConfigDef.Importance.LOW,
                        "How long an unwrapped data key stays in memory before it is wiped and unwrapped again when needed.",
                        GROUP_DECRYPT, 3, ConfigDef.Width.SHORT, "Data key cache lifetime")
                .define(DEK_UNWRAP_FAILURES_PER_MINUTE, ConfigDef.Type.INT, 20, ConfigDef.Range.between(1, 100_000),
                        ConfigDef.Importance.LOW,
                        "Records per minute (and in a burst) whose data key fails to unwrap before keys not seen before "
                                + "are refused without calling the key service: a flood of forged or corrupt envelopes "
                                + "then goes to the dead-letter topic instead of costing one Key Vault call each. A wrapped "
                                + "key that failed once is refused without a call for 10 minutes.",
                        GROUP_DECRYPT, 4, ConfigDef.Width.SHORT, "Unwrap failures per minute");
    }

    /** What keeps these settings from decrypting, by the key to change (reported by Connect's config validation). */
    public static Map<String, String> problems(Map<String, ?> parsed) {
        Map<String, String> out = new java.util.LinkedHashMap<>(
                KekProviders.problems(parsed, KeyEncryptionKeyProvider.KeyOperation.UNWRAP, false));
        out.putAll(SchemaRegistrySettings.problems(parsed, false, null));
        return out;
    }

    /** The registry payload schemas are fetched from, or null when none is configured. */
    public SchemaRegistryClient schemaRegistry() {
        return SchemaRegistrySettings.client(this);
    }

    public EnvelopeContext context() {
        return EnvelopeContext.parse(getString(EnvelopeContext.CONFIG));
    }

    public int dekCacheMaxEntries() {
        return getInt(DEK_CACHE_MAX_ENTRIES);
    }

    public long dekCacheTtlMs() {
        return getLong(DEK_CACHE_TTL_MS);
    }

    public int dekUnwrapFailuresPerMinute() {
        return getInt(DEK_UNWRAP_FAILURES_PER_MINUTE);
    }

    /** A new provider for unwrapping; the caller owns it. */
    public KeyEncryptionKeyProvider kekProvider() {
        return KekProviders.create(this, KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
    }

    /** The configured keyring (kek.ring, or the one KEK), metered by {@code listener}; the caller owns it. */
    public Keyring keyring(KekCallListener listener) {
        return KekProviders.createRing(this, KeyEncryptionKeyProvider.KeyOperation.UNWRAP, listener);
    }
}
