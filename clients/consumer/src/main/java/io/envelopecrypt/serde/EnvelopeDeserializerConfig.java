package io.envelopecrypt.serde;

import io.envelopecrypt.connect.engine.ConfigChecks;
import io.envelopecrypt.connect.engine.DecryptorConfig;

import org.apache.kafka.common.config.ConfigDef;

import java.util.Locale;
import java.util.Map;

/**
 * {@link EnvelopeDeserializer}'s settings: the decrypting engine's ({@code DecryptPayload}'s names: the KEK,
 * the data-key cache, the context, the schema registry for envelopes an Avro converter wrote and for payload
 * schemas kept there), plus what the decrypted value is handed out as.
 */
public final class EnvelopeDeserializerConfig extends DecryptorConfig {
    public static final String VALUE_TYPE = "value.type";
    private static final String GROUP = "Deserialized value";

    public static final ConfigDef CONFIG_DEF = ConfigChecks.withChecks(defineSerdeKeys(DecryptorConfig.addTo(new ConfigDef())),
            DecryptorConfig::problems);

    /** What {@link EnvelopeDeserializer#deserialize} returns. */
    public enum ValueType {
        /** Avro data: a {@code GenericRecord} of the payload's Avro schema, or an Avro primitive. */
        AVRO,
        /** Connect data: a {@code SchemaAndValue} with the original Connect schema (null when schemaless). */
        CONNECT,
        /** The value as JSON text, as {@code JsonConverter} writes it without schemas. */
        JSON
    }

    EnvelopeDeserializerConfig(Map<String, ?> props) {
        super(CONFIG_DEF, props, props);
    }

    private static ConfigDef defineSerdeKeys(ConfigDef def) {
        return def.define(VALUE_TYPE, ConfigDef.Type.STRING, "avro", ConfigDef.CaseInsensitiveValidString.in("avro", "connect", "json"),
                ConfigDef.Importance.HIGH,
                "What the deserializer returns: avro (a GenericRecord of the payload's Avro schema, or an Avro primitive; "
                        + "schemaless values as they were: maps, lists, strings, numbers), connect (a SchemaAndValue: the "
                        + "original Connect schema and value, as DecryptPayload restores them) or json (a String).",
                GROUP, 1, ConfigDef.Width.SHORT, "Value type");
    }

    ValueType valueType() {
        return ValueType.valueOf(getString(VALUE_TYPE).toUpperCase(Locale.ROOT));
    }
}
