package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.kms.KekConfig;

import org.apache.kafka.common.config.ConfigDef;

/** The configuration of {@link DecryptPayload}. */
public final class DecryptPayloadConfig {
    public static final String ON_NON_ENVELOPE = "on.non.envelope";
    public static final String DEK_CACHE_MAX_ENTRIES = "dek.cache.max.entries";
    public static final String DEK_CACHE_TTL_MS = "dek.cache.ttl.ms";

    public static final String FAIL = "fail";
    public static final String PASS_THROUGH = "pass-through";

    static final String GROUP_DECRYPT = "Decryption";

    public static final ConfigDef CONFIG_DEF = KekConfig.addTo(new ConfigDef()
            .define(ON_NON_ENVELOPE, ConfigDef.Type.STRING, FAIL, ConfigDef.CaseInsensitiveValidString.in(FAIL, PASS_THROUGH),
                    ConfigDef.Importance.MEDIUM,
                    "What to do with a record value that is not an envelope (tombstones always pass): 'fail' raises "
                            + "a DataException (the record goes to the dead-letter queue when errors.tolerance=all), "
                            + "'pass-through' forwards it unchanged, e.g. while a topic migrates to encryption.",
                    GROUP_DECRYPT, 1, ConfigDef.Width.SHORT, "Non-envelope values")
            .define(DEK_CACHE_MAX_ENTRIES, ConfigDef.Type.INT, 1000, ConfigDef.Range.between(1, 1_000_000),
                    ConfigDef.Importance.LOW,
                    "Unwrapped data keys kept in memory. Each distinct data key costs one Key Vault unwrap while it "
                            + "stays cached; evicted keys are wiped.",
                    GROUP_DECRYPT, 2, ConfigDef.Width.SHORT, "Data key cache size")
            .define(DEK_CACHE_TTL_MS, ConfigDef.Type.LONG, 60 * 60 * 1000L, ConfigDef.Range.atLeast(1000),
                    ConfigDef.Importance.LOW,
                    "How long an unwrapped data key stays in memory before it is wiped and unwrapped again when needed.",
                    GROUP_DECRYPT, 3, ConfigDef.Width.SHORT, "Data key cache lifetime"));

    private DecryptPayloadConfig() {
    }
}
