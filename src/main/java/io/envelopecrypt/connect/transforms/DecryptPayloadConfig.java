package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.engine.ConfigChecks;
import io.envelopecrypt.connect.engine.DecryptorConfig;

import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/**
 * The configuration of {@link DecryptPayload}: what to do with values that are not envelopes, plus the
 * decrypting engine's settings ({@link DecryptorConfig}: KEK provider, unwrapped-key cache).
 */
public final class DecryptPayloadConfig extends DecryptorConfig {
    public static final String ON_NON_ENVELOPE = "on.non.envelope";

    public static final String FAIL = "fail";
    public static final String PASS_THROUGH = "pass-through";

    public static final ConfigDef CONFIG_DEF = ConfigChecks.withChecks(DecryptorConfig.addTo(new ConfigDef()
            .define(ON_NON_ENVELOPE, ConfigDef.Type.STRING, FAIL, ConfigDef.CaseInsensitiveValidString.in(FAIL, PASS_THROUGH),
                    ConfigDef.Importance.MEDIUM,
                    "What to do with a record value that is not an envelope (tombstones always pass): 'fail' raises "
                            + "a DataException (the record goes to the dead-letter queue when errors.tolerance=all), "
                            + "'pass-through' forwards it unchanged but for a header 'envelopecrypt.not-decrypted: "
                            + "not-an-envelope' (it was not authenticated), e.g. while a topic migrates to encryption.",
                    GROUP_DECRYPT, 1, ConfigDef.Width.SHORT, "Non-envelope values")), DecryptorConfig::problems);

    public DecryptPayloadConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }

    public boolean passThroughNonEnvelopes() {
        return PASS_THROUGH.equalsIgnoreCase(getString(ON_NON_ENVELOPE));
    }
}
