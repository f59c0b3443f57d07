package io.envelopecrypt.serde;

import io.envelopecrypt.connect.engine.ConfigChecks;
import io.envelopecrypt.connect.engine.EncryptorConfig;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;

import org.apache.kafka.common.config.ConfigDef;

import java.util.Map;

/**
 * {@link EnvelopeSerializer}'s settings: the encrypting engine's (the KEK, data keys, context, payload schemas
 * and compression, the schema registry: the names {@code EncryptPayload} uses), plus how the envelope is written.
 * Config providers are declared in the same properties ({@code config.providers=env}), as in a client's
 * configuration file.
 */
public final class EnvelopeSerializerConfig extends EncryptorConfig {
    public static final String ENVELOPE_FORMAT = "envelope.format";
    public static final String ENVELOPE_SCHEMA_NAME = "envelope.schema.name";
    public static final String EVENT_TYPE = "envelope.event.type";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    static final String AVRO = "avro";
    static final String JSON = "json";
    private static final String GROUP = "Envelope";

    public static final ConfigDef CONFIG_DEF = ConfigChecks.withChecks(defineSerdeKeys(EncryptorConfig.addTo(new ConfigDef())),
            EncryptorConfig::problems);

    EnvelopeSerializerConfig(Map<String, ?> props) {
        super(CONFIG_DEF, props, props);
    }

    private static ConfigDef defineSerdeKeys(ConfigDef def) {
        return def.define(ENVELOPE_FORMAT, ConfigDef.Type.STRING, AVRO, ConfigDef.CaseInsensitiveValidString.in(AVRO, JSON),
                        ConfigDef.Importance.HIGH,
                        "How the envelope is written: avro (the Confluent wire format, the envelope's Avro schema "
                                + "registered in schema.registry.url under <topic>-value, as an AvroConverter writes it) or "
                                + "json (what JsonConverter writes with schemas.enable=false: bytes fields in base64).",
                        GROUP, 1, ConfigDef.Width.SHORT, "Envelope format")
                .define(ENVELOPE_SCHEMA_NAME, ConfigDef.Type.STRING, EnvelopeSchema.DEFAULT_NAME, ConfigDef.Importance.LOW,
                        "The envelope record's name, as EncryptPayload's envelope.schema.name.",
                        GROUP, 2, ConfigDef.Width.MEDIUM, "Envelope schema name")
                .define(EVENT_TYPE, ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW,
                        "The envelopes' eventType (authenticated, in the clear). Empty: the topic name, as EncryptPayload "
                                + "does by default.",
                        GROUP, 3, ConfigDef.Width.MEDIUM, "Event type")
                .define(AUTO_REGISTER, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.LOW,
                        "Register the envelope's schema under <topic>-value if the subject does not have it yet; false: look "
                                + "it up only (registered beforehand, e.g. by EncryptPayload's converter).",
                        GROUP, 4, ConfigDef.Width.SHORT, "Auto-register the envelope schema");
    }

    boolean avro() {
        return AVRO.equalsIgnoreCase(getString(ENVELOPE_FORMAT));
    }
}
