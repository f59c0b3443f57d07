package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.PluginVersion;
import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.AesGcm;
import io.envelopecrypt.connect.crypto.DataKey;
import io.envelopecrypt.connect.crypto.DataKeyManager;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.envelope.EnvelopeSealer;
import io.envelopecrypt.connect.kms.KekConfig;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.MeteredKeyProvider;
import io.envelopecrypt.connect.metrics.TransformCounters;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The encrypting transform; use {@link EncryptPayload} (Kafka Connect 4.1+, with plugin metrics) or
 * {@link io.envelopecrypt.connect.transforms.compat.EncryptPayload} (older workers).
 *
 * <p>Replaces a record's value with an encrypted envelope. Works with any value a connector produces:
 * Structs with a schema, schemaless Maps and Lists, strings, bytes, numbers and booleans. Tombstones
 * (null values) pass through untouched; the key, headers, topic, partition and timestamp are kept.
 *
 * <p>The value is encoded as Avro binary, encrypted with AES-256-GCM under a data key that is rotated
 * by record count and age, and the data key is wrapped by the configured key-encryption key. See the
 * project README for the envelope layout and {@code DecryptPayload} for the way back.
 *
 * <p>Only record values are encrypted: an encrypted key would change with every record (random IVs),
 * breaking partitioning and compaction.
 */
public abstract class AbstractEncryptPayload<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    public static final String OVERVIEW_DOC = "Encrypts the record value into an Avro-friendly envelope "
            + "(AES-256-GCM, data keys wrapped by Azure Key Vault or a local development key).";

    public static final ConfigDef CONFIG_DEF = EncryptPayloadConfig.CONFIG_DEF;

    private final Clock clock;
    private final TransformCounters counters = new TransformCounters();
    private KeyEncryptionKeyProvider kek;
    private DataKeyManager dataKeys;
    private EnvelopeSealer sealer;
    private PayloadCodecCache codecs;
    private Schema envelopeSchema;
    private ValueSource idSource;
    private ValueSource eventTypeSource;
    private ValueSource timestampSource;
    private List<ValueSource.MetadataEntry> metadata;

    protected AbstractEncryptPayload(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        envelopeSchema = EnvelopeSchema.build(config.getString(EncryptPayloadConfig.ENVELOPE_SCHEMA_NAME));
        idSource = EncryptPayloadConfig.source(EncryptPayloadConfig.ENVELOPE_ID,
                config.getString(EncryptPayloadConfig.ENVELOPE_ID), EncryptPayloadConfig.ID_SOURCES);
        eventTypeSource = EncryptPayloadConfig.source(EncryptPayloadConfig.ENVELOPE_EVENT_TYPE,
                config.getString(EncryptPayloadConfig.ENVELOPE_EVENT_TYPE), EncryptPayloadConfig.EVENT_TYPE_SOURCES);
        timestampSource = EncryptPayloadConfig.source(EncryptPayloadConfig.ENVELOPE_TIMESTAMP,
                config.getString(EncryptPayloadConfig.ENVELOPE_TIMESTAMP), EncryptPayloadConfig.TIMESTAMP_SOURCES);
        metadata = EncryptPayloadConfig.metadata(config.getList(EncryptPayloadConfig.ENVELOPE_METADATA));
        codecs = new PayloadCodecCache(256);
        AesGcm aead = new AesGcm();
        sealer = new EnvelopeSealer(aead);
        KeyEncryptionKeyProvider provider = KekConfig.createProvider(config, KeyEncryptionKeyProvider.KeyOperation.WRAP);
        kek = new MeteredKeyProvider(provider, counters);
        DataKeyManager keys = new DataKeyManager(kek, config.getLong(EncryptPayloadConfig.DEK_MAX_RECORDS),
                config.getLong(EncryptPayloadConfig.DEK_MAX_AGE_MS), clock, new SecureRandom());
        dataKeys = keys;
        counters.gauge("data-keys-created-total", keys::keysCreated);
        counters.gauge("kek-remote-calls-total", provider::remoteCalls);
    }

    @Override
    public R apply(R record) {
        Object value = record.value();
        if (value == null) {
            counters.recordPassedThrough();
            return record;
        }
        try {
            Envelope envelope = seal(record, value);
            int ciphertext = envelope.encryptedPayload().length;
            counters.recordProcessed(ciphertext - AesGcm.TAG_BYTES, ciphertext);
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    envelopeSchema, EnvelopeCodec.toStruct(envelope, envelopeSchema), record.timestamp(), record.headers());
        } catch (RuntimeException e) {
            counters.recordFailure(Failures.kind(e));
            throw e;
        }
    }

    private Envelope seal(R record, Object value) {
        Schema valueSchema = record.valueSchema();
        PayloadCodec codec;
        if (valueSchema != null) {
            codec = codecs.forSchema(valueSchema);
        } else if (value instanceof Struct struct) {
            codec = codecs.forSchema(struct.schema());
        } else {
            codec = PayloadCodec.SCHEMALESS;
        }
        EnvelopeHeader header = header(record);
        DataKey key = dataKeys.acquire();
        try {
            return sealer.seal(codec, value, header, key);
        } catch (ConnectException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataException("Encrypting the record value failed (" + e.getClass().getSimpleName() + ")",
                    SanitizedCause.of(e));
        } finally {
            key.release();
        }
    }

    private EnvelopeHeader header(R record) {
        String id = idSource.text(record);
        if (id == null) {
            throw new DataException("The envelope id source " + idSource + " has no value for this record");
        }
        long now = clock.millis();
        Long timestamp = timestampSource.millis(record, now);
        if (timestamp == null) {
            timestamp = record.timestamp() != null ? record.timestamp() : now;
        }
        Map<String, String> meta = null;
        if (!metadata.isEmpty()) {
            meta = new LinkedHashMap<>();
            for (ValueSource.MetadataEntry entry : metadata) {
                String v = entry.source().text(record);
                if (v != null) {
                    meta.put(entry.name(), v);
                }
            }
        }
        return new EnvelopeHeader(id, timestamp, eventTypeSource.text(record), meta);
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void close() {
        if (dataKeys != null) {
            dataKeys.close();
            dataKeys = null;
        }
        if (kek != null) {
            kek.close();
            kek = null;
        }
    }

    /** Data keys created (one KEK wrap each), for tests and metrics. */
    long dataKeysCreated() {
        return dataKeys.keysCreated();
    }

    /** This instance's counters (published as plugin metrics on Kafka 4.1+). */
    public TransformCounters counters() {
        return counters;
    }
}
