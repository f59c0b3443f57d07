package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.kms.KekConfig;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.List;
import java.util.regex.Pattern;

import static io.envelopecrypt.connect.transforms.ValueSource.Kind;

/** The configuration of {@link EncryptPayload}. */
public final class EncryptPayloadConfig {
    public static final String ENVELOPE_SCHEMA_NAME = "envelope.schema.name";
    public static final String ENVELOPE_ID = "envelope.id";
    public static final String ENVELOPE_EVENT_TYPE = "envelope.event.type";
    public static final String ENVELOPE_TIMESTAMP = "envelope.timestamp";
    public static final String ENVELOPE_METADATA = "envelope.metadata";
    public static final String DEK_MAX_RECORDS = "dek.max.records";
    public static final String DEK_MAX_AGE_MS = "dek.max.age.ms";

    /** 2^32 GCM invocations per key: NIST SP 800-38D's limit, kept although IVs come from a per-key counter. */
    public static final long GCM_INVOCATION_LIMIT = 1L << 32;
    public static final long DEFAULT_DEK_MAX_RECORDS = 1_000_000L;
    public static final long DEFAULT_DEK_MAX_AGE_MS = 60 * 60 * 1000L;

    static final String GROUP_ENVELOPE = "Envelope";
    static final String GROUP_DATA_KEYS = "Data keys";

    static final ValueSource.Validator ID_SOURCES = new ValueSource.Validator(Kind.UUID, Kind.FIELD, Kind.HEADER);
    static final ValueSource.Validator EVENT_TYPE_SOURCES =
            new ValueSource.Validator(Kind.NONE, Kind.TOPIC, Kind.STATIC, Kind.FIELD, Kind.HEADER);
    static final ValueSource.Validator TIMESTAMP_SOURCES =
            new ValueSource.Validator(Kind.RECORD_TIMESTAMP, Kind.WALLCLOCK, Kind.FIELD, Kind.HEADER);

    public static final ConfigDef CONFIG_DEF = KekConfig.addTo(new ConfigDef()
            .define(ENVELOPE_SCHEMA_NAME, ConfigDef.Type.STRING, EnvelopeSchema.DEFAULT_NAME, new AvroFullName(),
                    ConfigDef.Importance.MEDIUM,
                    "Name of the envelope's Connect schema; the Avro converter registers it as the record name "
                            + "(namespace.Name) under the topic's value subject.",
                    GROUP_ENVELOPE, 1, ConfigDef.Width.MEDIUM, "Envelope schema name")
            .define(ENVELOPE_ID, ConfigDef.Type.STRING, "uuid", ID_SOURCES, ConfigDef.Importance.LOW,
                    "Source of the envelope id: 'uuid' (a new time-ordered UUIDv7 per record), 'field:<path>' or "
                            + "'header:<name>'. Values from fields or headers are stored in the clear.",
                    GROUP_ENVELOPE, 2, ConfigDef.Width.MEDIUM, "Envelope id")
            .define(ENVELOPE_EVENT_TYPE, ConfigDef.Type.STRING, "topic", EVENT_TYPE_SOURCES, ConfigDef.Importance.LOW,
                    "Source of the envelope eventType: 'topic', 'static:<text>' (e.g. static:payment.created), "
                            + "'field:<path>', 'header:<name>' or 'none'. Stored in the clear.",
                    GROUP_ENVELOPE, 3, ConfigDef.Width.MEDIUM, "Event type")
            .define(ENVELOPE_TIMESTAMP, ConfigDef.Type.STRING, "record", TIMESTAMP_SOURCES, ConfigDef.Importance.LOW,
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
            .define(DEK_MAX_RECORDS, ConfigDef.Type.LONG, DEFAULT_DEK_MAX_RECORDS,
                    ConfigDef.Range.between(1, GCM_INVOCATION_LIMIT), ConfigDef.Importance.LOW,
                    "Records encrypted under one data key before a new one is made (and wrapped by the KEK). "
                            + "At most 2^32 (NIST SP 800-38D's GCM limit per key); the default stays 4096 times below that.",
                    GROUP_DATA_KEYS, 1, ConfigDef.Width.SHORT, "Records per data key")
            .define(DEK_MAX_AGE_MS, ConfigDef.Type.LONG, DEFAULT_DEK_MAX_AGE_MS,
                    ConfigDef.Range.atLeast(1000), ConfigDef.Importance.LOW,
                    "Age after which a data key is replaced, whatever its record count.",
                    GROUP_DATA_KEYS, 2, ConfigDef.Width.SHORT, "Data key lifetime"));

    private EncryptPayloadConfig() {
    }

    static ValueSource source(String key, String spec, ValueSource.Validator validator) {
        try {
            return ValueSource.parse(spec, validator.allowed());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, spec, e.getMessage());
        }
    }

    static List<ValueSource.MetadataEntry> metadata(List<String> entries) {
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
