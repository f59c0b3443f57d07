package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.payload.PayloadCompression;
import io.envelopecrypt.connect.registry.SchemaRegistryClient;
import io.envelopecrypt.connect.registry.SchemaRegistrySettings;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The settings of an {@link EnvelopeEncryptor}: the KEK provider, the data-key rotation limits, the context. */
public class EncryptorConfig extends AbstractConfig {
    public static final String DEK_MAX_RECORDS = "dek.max.records";
    public static final String DEK_MAX_AGE_MS = "dek.max.age.ms";
    public static final String KEY_ALLOWED_PATTERN = "kek.key.allowed.pattern";
    public static final String KEY_FALLBACK = "kek.key.fallback";
    public static final String KEY_CACHE_MAX = "kek.key.cache.max";
    public static final String GROUP_KEY_SELECTION = "Per-record key selection";
    public static final String PAYLOAD_COMPRESSION = "payload.compression";
    public static final String PAYLOAD_SCHEMA_LOCATION = "payload.schema.location";
    public static final String PAYLOAD_SUBJECT_STRATEGY = "payload.schema.subject.name.strategy";
    public static final String PAYLOAD_AUTO_REGISTER = "payload.schema.auto.register";
    public static final String GROUP_PAYLOAD = "Payload";
    static final String INLINE = "inline";
    static final String REGISTRY = "registry";

    /** 2^32 GCM invocations per key: NIST SP 800-38D's limit, kept although IVs come from a per-key counter. */
    public static final long GCM_INVOCATION_LIMIT = 1L << 32;
    public static final long DEFAULT_DEK_MAX_RECORDS = 1_000_000L;
    public static final long DEFAULT_DEK_MAX_AGE_MS = 60 * 60 * 1000L;
    public static final String GROUP_DATA_KEYS = "Data keys";

    public static final ConfigDef CONFIG_DEF = ConfigChecks.withChecks(addTo(new ConfigDef()), EncryptorConfig::problems);

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
        SchemaRegistrySettings.addTo(def, "Where payload schemas are registered with payload.schema.location=registry.");
        def.define(PAYLOAD_SCHEMA_LOCATION, ConfigDef.Type.STRING, INLINE, ConfigDef.CaseInsensitiveValidString.in(INLINE, REGISTRY),
                        ConfigDef.Importance.MEDIUM,
                        "Where the plaintext's Avro schema goes: inline (in every envelope, DEFLATE-compressed: self-describing, "
                                + "no registry needed to read) or registry (registered once in the schema registry of "
                                + "schema.registry.url; envelopes carry its id and SHA-256, about 500 bytes fewer per record "
                                + "for a 20-field schema). Readers need the registry too; they check the schema they fetch "
                                + "against the digest.",
                        GROUP_PAYLOAD, 1, ConfigDef.Width.SHORT, "Payload schema location")
                .define(PAYLOAD_SUBJECT_STRATEGY, ConfigDef.Type.STRING, "topic",
                        ConfigDef.CaseInsensitiveValidString.in("topic", "record", "topic-record"), ConfigDef.Importance.LOW,
                        "The subject payload schemas are registered under: topic (<topic>-payload), record (the Avro "
                                + "record's full name) or topic-record (<topic>-<record name>), as Confluent's subject name "
                                + "strategies. The envelope's own schema stays under the converter's subject (<topic>-value).",
                        GROUP_PAYLOAD, 2, ConfigDef.Width.SHORT, "Payload subject naming")
                .define(PAYLOAD_AUTO_REGISTER, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.LOW,
                        "Register payload schemas that the subject does not have yet. false: only look them up, and fail "
                                + "records whose schema was not registered beforehand (for registries where only a pipeline "
                                + "may register).",
                        GROUP_PAYLOAD, 3, ConfigDef.Width.SHORT, "Auto-register payload schemas")
                .define(PAYLOAD_COMPRESSION, ConfigDef.Type.STRING, PayloadCompression.NONE.configName(),
                        ConfigDef.CaseInsensitiveValidString.in("none", "lz4", "zstd", "snappy"), ConfigDef.Importance.MEDIUM,
                        "Compress the encoded value before encrypting it: none, lz4, zstd or snappy (the codecs every Kafka "
                                + "worker ships). Ciphertext does not compress, so producer compression cannot do this. Leave "
                                + "it at none when an attacker can put chosen text into records and watch their sizes: "
                                + "compressed lengths reveal whether that text matches other parts of the same record "
                                + "(CRIME/BREACH; see docs/threat-model.md).",
                        GROUP_PAYLOAD, 4, ConfigDef.Width.SHORT, "Payload compression");
        return def.define(DEK_MAX_RECORDS, ConfigDef.Type.LONG, DEFAULT_DEK_MAX_RECORDS,
                        ConfigDef.Range.between(1, GCM_INVOCATION_LIMIT), ConfigDef.Importance.LOW,
                        "Records encrypted under one data key before a new one is made (and wrapped by the KEK). "
                                + "At most 2^32 (NIST SP 800-38D's GCM limit per key); the default stays 4096 times below that.",
                        GROUP_DATA_KEYS, 1, ConfigDef.Width.SHORT, "Records per data key")
                .define(DEK_MAX_AGE_MS, ConfigDef.Type.LONG, DEFAULT_DEK_MAX_AGE_MS,
                        ConfigDef.Range.atLeast(1000), ConfigDef.Importance.LOW,
                        "Age after which a data key is replaced, whatever its record count.",
                        GROUP_DATA_KEYS, 2, ConfigDef.Width.SHORT, "Data key lifetime")
                .define(KEY_ALLOWED_PATTERN, ConfigDef.Type.STRING, null, new RegexValidator(), ConfigDef.Importance.HIGH,
                        "Per-record key selection: a regular expression every selected key name must match in full "
                                + "(e.g. tenant-[0-9]{1,6}), so a record cannot pick an arbitrary key. Required with "
                                + "kek.key.template.",
                        GROUP_KEY_SELECTION, 2, ConfigDef.Width.MEDIUM, "Allowed key names")
                .define(KEY_FALLBACK, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                        "Per-record key selection: the key name used when a record has no value for the template or "
                                + "its key name is not allowed. Empty (the default): such a record fails (a DataException, "
                                + "so errors.tolerance decides). A key that is missing, disabled or deleted in the vault "
                                + "always fails the record: erasing a tenant's key never sends its records to the fallback.",
                        GROUP_KEY_SELECTION, 3, ConfigDef.Width.MEDIUM, "Fallback key name")
                .define(KEY_CACHE_MAX, ConfigDef.Type.INT, 1000, ConfigDef.Range.between(1, 100_000), ConfigDef.Importance.LOW,
                        "Per-record key selection: keys with a live data key at once. The least recently used key's data "
                                + "key is wiped beyond this, and its next record makes a new one (one more Key Vault call).",
                        GROUP_KEY_SELECTION, 4, ConfigDef.Width.SHORT, "Keys with live data keys");
    }

    /**
     * What keeps these settings from encrypting, by the key to change (reported by Connect's config validation).
     * Per-record key selection is on when {@code kek.key.allowed.pattern} is set.
     */
    public static Map<String, String> problems(Map<String, ?> parsed) {
        return problems(parsed, parsed.get(KEY_ALLOWED_PATTERN) != null);
    }

    /** As above, with per-record key selection on or off as the caller knows it. */
    public static Map<String, String> problems(Map<String, ?> parsed, boolean keyPerRecord) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (parsed.get(KEY_FALLBACK) != null && parsed.get(KEY_ALLOWED_PATTERN) == null) {
            out.put(KEY_FALLBACK, "Applies only with per-record key selection (" + KEY_ALLOWED_PATTERN + ")");
        }
        out.putAll(KekProviders.problems(parsed, KeyEncryptionKeyProvider.KeyOperation.WRAP, keyPerRecord));
        out.putAll(SchemaRegistrySettings.problems(parsed, REGISTRY.equalsIgnoreCase(String.valueOf(parsed.get(PAYLOAD_SCHEMA_LOCATION))),
                PAYLOAD_SCHEMA_LOCATION + "=registry registers payload schemas there"));
        return out;
    }

    /** The pattern selected key names must match, or null when none is configured. */
    public Pattern keyAllowedPattern() {
        String regex = getString(KEY_ALLOWED_PATTERN);
        return regex == null ? null : Pattern.compile(regex);
    }

    public String keyFallback() {
        return getString(KEY_FALLBACK);
    }

    public int keyCacheMax() {
        return getInt(KEY_CACHE_MAX);
    }

    /** A regular expression that compiles. */
    static final class RegexValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            try {
                Pattern.compile(value.toString());
            } catch (PatternSyntaxException e) {
                throw new ConfigException(name, value, "not a regular expression: " + e.getDescription());
            }
        }

        @Override
        public String toString() {
            return "a Java regular expression";
        }
    }

    /** How payloads are described (schema location, compression); the caller closes it. */
    public PayloadSchemas payloadSchemas() {
        String codec = getString(PAYLOAD_COMPRESSION);
        PayloadCompression compression = codec == null ? PayloadCompression.NONE : PayloadCompression.forName(codec);
        if (!REGISTRY.equalsIgnoreCase(getString(PAYLOAD_SCHEMA_LOCATION))) {
            return compression == PayloadCompression.NONE ? PayloadSchemas.INLINE : new PayloadSchemas(compression, null, null, true);
        }
        SchemaRegistryClient client = SchemaRegistrySettings.client(this);
        if (client == null) {
            throw new ConfigException(SchemaRegistrySettings.URL, "", "required with " + PAYLOAD_SCHEMA_LOCATION + "=registry");
        }
        String strategy = getString(PAYLOAD_SUBJECT_STRATEGY);
        return new PayloadSchemas(compression, client, strategy == null ? PayloadSchemas.SubjectNameStrategy.TOPIC
                : PayloadSchemas.SubjectNameStrategy.forName(strategy), !Boolean.FALSE.equals(get(PAYLOAD_AUTO_REGISTER)));
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

    /** The configured keyring (kek.ring, or the one KEK), metered by {@code listener}; the caller owns it. */
    public Keyring keyring(KekCallListener listener) {
        return KekProviders.createRing(this, KeyEncryptionKeyProvider.KeyOperation.WRAP, listener,
                getString(KEY_ALLOWED_PATTERN) != null);
    }
}
