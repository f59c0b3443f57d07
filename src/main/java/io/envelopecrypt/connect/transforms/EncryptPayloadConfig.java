package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.engine.ConfigChecks;
import io.envelopecrypt.connect.engine.EncryptorConfig;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.envelopecrypt.connect.transforms.ValueSource.Kind;

/**
 * The configuration of {@link EncryptPayload}: where the envelope's cleartext fields come from, plus the
 * encrypting engine's settings ({@link EncryptorConfig}: KEK provider, data-key rotation).
 */
public final class EncryptPayloadConfig extends EncryptorConfig {
    public static final String ENVELOPE_SCHEMA_NAME = "envelope.schema.name";
    public static final String ENVELOPE_ID = "envelope.id";
    public static final String ENVELOPE_EVENT_TYPE = "envelope.event.type";
    public static final String ENVELOPE_TIMESTAMP = "envelope.timestamp";
    public static final String ENVELOPE_METADATA = "envelope.metadata";
    public static final String KEY_TEMPLATE = "kek.key.template";

    static final String GROUP_ENVELOPE = "Envelope";

    private static final Map<String, ValueSource.Validator> SOURCES = Map.of(
            ENVELOPE_ID, new ValueSource.Validator(Kind.UUID, Kind.FIELD, Kind.HEADER),
            ENVELOPE_EVENT_TYPE, new ValueSource.Validator(Kind.NONE, Kind.TOPIC, Kind.STATIC, Kind.FIELD, Kind.HEADER),
            ENVELOPE_TIMESTAMP, new ValueSource.Validator(Kind.RECORD_TIMESTAMP, Kind.WALLCLOCK, Kind.FIELD, Kind.HEADER));

    public static final ConfigDef CONFIG_DEF = ConfigChecks.withChecks(EncryptorConfig.addTo(new ConfigDef()
            .define(ENVELOPE_SCHEMA_NAME, ConfigDef.Type.STRING, EnvelopeSchema.DEFAULT_NAME, new AvroFullName(),
                    ConfigDef.Importance.MEDIUM,
                    "Name of the envelope's Connect schema; the Avro converter registers it as the record name "
                            + "(namespace.Name) under the topic's value subject.",
                    GROUP_ENVELOPE, 1, ConfigDef.Width.MEDIUM, "Envelope schema name")
            .define(ENVELOPE_ID, ConfigDef.Type.STRING, "uuid", SOURCES.get(ENVELOPE_ID), ConfigDef.Importance.LOW,
                    "Source of the envelope id: 'uuid' (a new time-ordered UUIDv7 per record), 'field:<path>' or "
                            + "'header:<name>'. Values from fields or headers are stored in the clear. Field paths use "
                            + "Kafka's syntax (KIP-821): dots for nested fields, backticks around a name with dots.",
                    GROUP_ENVELOPE, 2, ConfigDef.Width.MEDIUM, "Envelope id")
            .define(ENVELOPE_EVENT_TYPE, ConfigDef.Type.STRING, "topic", SOURCES.get(ENVELOPE_EVENT_TYPE),
                    ConfigDef.Importance.LOW,
                    "Source of the envelope eventType: 'topic', 'static:<text>' (e.g. static:payment.created), "
                            + "'field:<path>', 'header:<name>' or 'none'. Stored in the clear.",
                    GROUP_ENVELOPE, 3, ConfigDef.Width.MEDIUM, "Event type")
            .define(ENVELOPE_TIMESTAMP, ConfigDef.Type.STRING, "record", SOURCES.get(ENVELOPE_TIMESTAMP),
                    ConfigDef.Importance.LOW,
                    "Source of the envelope timestamp (epoch milliseconds): 'record' (the record's timestamp), "
                            + "'wallclock', 'field:<path>' or 'header:<name>'. When the source has no value the "
                            + "record timestamp is used, then the wall clock. Stored in the clear.",
                    GROUP_ENVELOPE, 4, ConfigDef.Width.MEDIUM, "Timestamp")
            .define(ENVELOPE_METADATA, ConfigDef.Type.LIST, "", new ValueSource.MetadataValidator(),
                    ConfigDef.Importance.LOW,
                    "Cleartext, authenticated metadata as comma-separated name=source entries, e.g. "
                            + "'source=static:web-app,tenant=header:tenant-id'. Sources: static:<text>, field:<path>, "
                            + "header:<name>, topic, record. Entries whose source has no value are left out.",
                    GROUP_ENVELOPE, 5, ConfigDef.Width.LONG, "Metadata")
            .define(KEY_TEMPLATE, ConfigDef.Type.STRING, null, new KeyNameTemplate.Validator(), ConfigDef.Importance.HIGH,
                    "Per-record key selection: the key-encryption key name each record selects, e.g. "
                            + "tenant-{field:tenantId} or {header:tenant} (references: {field:<path>}, {header:<name>}, "
                            + "{topic}), in place of the provider's key name (azure.keyvault.key.name) and in every "
                            + "keyring member's vault. Each key has its own data keys, so disabling or deleting one "
                            + "tenant's key makes exactly that tenant's records unreadable (crypto-shredding). Needs "
                            + EncryptorConfig.KEY_ALLOWED_PATTERN + ". The selected name is in the clear in every "
                            + "envelope's keyId.",
                    GROUP_KEY_SELECTION, 1, ConfigDef.Width.MEDIUM, "Key name template")),
            EncryptPayloadConfig::transformProblems);

    public EncryptPayloadConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
    }

    /** What keeps these settings from starting, by the key to change (reported by Connect's config validation). */
    static Map<String, String> transformProblems(Map<String, Object> parsed) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        boolean template = parsed.get(KEY_TEMPLATE) != null;
        boolean pattern = parsed.get(KEY_ALLOWED_PATTERN) != null;
        if (template != pattern) {
            out.put(KEY_ALLOWED_PATTERN, template ? "Required with " + KEY_TEMPLATE + ": a regular expression every "
                    + "selected key name must match, e.g. tenant-[0-9]{1,6}" : "Applies only with " + KEY_TEMPLATE);
        }
        EncryptorConfig.problems(parsed, template).forEach(out::putIfAbsent);
        return out;
    }

    /** The per-record key name template, or null; checked against its required allow-list. */
    KeyNameTemplate keyTemplate() {
        String spec = getString(KEY_TEMPLATE);
        if (spec == null) {
            if (getString(KEY_ALLOWED_PATTERN) != null) {
                throw new ConfigException(KEY_ALLOWED_PATTERN, getString(KEY_ALLOWED_PATTERN), "applies only with "
                        + KEY_TEMPLATE);
            }
            return null;
        }
        if (getString(KEY_ALLOWED_PATTERN) == null) {
            throw new ConfigException(KEY_ALLOWED_PATTERN, null, "required with " + KEY_TEMPLATE
                    + ": a regular expression every selected key name must match, e.g. tenant-[0-9]{1,6}");
        }
        return KeyNameTemplate.parse(spec);
    }

    public String envelopeSchemaName() {
        return getString(ENVELOPE_SCHEMA_NAME);
    }

    /** The source of {@code envelope.id}, {@code envelope.event.type} or {@code envelope.timestamp}. */
    public ValueSource source(String key) {
        String spec = getString(key);
        try {
            return ValueSource.parse(spec, SOURCES.get(key).allowed());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, spec, e.getMessage());
        }
    }

    public List<ValueSource.MetadataEntry> metadata() {
        List<String> entries = getList(ENVELOPE_METADATA);
        try {
            return ValueSource.MetadataEntry.parseAll(entries);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ENVELOPE_METADATA, entries, e.getMessage());
        }
    }

    /** A dotted Avro full name, which every Avro converter keeps as is. */
    static final class AvroFullName implements ConfigDef.Validator {
        private static final Pattern PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || !PATTERN.matcher(value.toString()).matches()) {
                throw new ConfigException(name, value, "must be a dotted Avro name such as com.example.EncryptedPayment");
            }
        }

        @Override
        public String toString() {
            return "a dotted Avro name";
        }
    }
}
