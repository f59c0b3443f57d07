package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.engine.EnvelopeEncryptor;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

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
public abstract class AbstractEncryptPayload<R extends ConnectRecord<R>> extends EnvelopeTransform<R> {

    public static final String OVERVIEW_DOC = "Encrypts the record value into an Avro-friendly envelope "
            + "(AES-256-GCM, data keys wrapped by Azure Key Vault or a local development key).";

    public static final ConfigDef CONFIG_DEF = EncryptPayloadConfig.CONFIG_DEF;

    private final Clock clock;
    private EnvelopeEncryptor engine;
    private Schema envelopeSchema;
    private ValueSource idSource;
    private ValueSource eventTypeSource;
    private ValueSource timestampSource;
    private List<ValueSource.MetadataEntry> metadata;
    private KeyNameTemplate keyTemplate;

    protected AbstractEncryptPayload(Clock clock) {
        super(CONFIG_DEF);
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> props) {
        EncryptPayloadConfig config = new EncryptPayloadConfig(props);
        envelopeSchema = EnvelopeSchema.build(config.envelopeSchemaName());
        idSource = config.source(EncryptPayloadConfig.ENVELOPE_ID);
        eventTypeSource = config.source(EncryptPayloadConfig.ENVELOPE_EVENT_TYPE);
        timestampSource = config.source(EncryptPayloadConfig.ENVELOPE_TIMESTAMP);
        metadata = config.metadata();
        keyTemplate = config.keyTemplate();
        EnvelopeEncryptor encryptor = EnvelopeEncryptor.create(config, counters(), clock);
        engine = encryptor;
        own(encryptor);
        counters().gauge("data-keys-created-total", encryptor::dataKeysCreated);
        counters().gauge("kek-remote-calls-total", encryptor::kekRemoteCalls);
        counters().gauge("data-keys-incomplete-total", encryptor::incompleteDataKeys);
        if (keyTemplate != null) {
            counters().gauge("selected-keys-live", encryptor::liveSelectedKeys);
            counters().gauge("selected-keys-evicted-total", encryptor::evictedSelectedKeys);
        }
    }

    @Override
    protected R applyToValue(R record) {
        Envelope envelope = keyTemplate == null
                ? engine.encrypt(record.topic(), record.valueSchema(), record.value(), header(record))
                : engine.encrypt(record.topic(), keyTemplate.render(record), record.valueSchema(), record.value(), header(record));
        counters().recordProcessed(envelope.plaintextLength(), envelope.encryptedPayload().length);
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                envelopeSchema, EnvelopeCodec.toStruct(envelope, envelopeSchema), record.timestamp(), record.headers());
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

    /** Data keys created (one KEK wrap each), for tests and metrics. */
    long dataKeysCreated() {
        return engine.dataKeysCreated();
    }
}
