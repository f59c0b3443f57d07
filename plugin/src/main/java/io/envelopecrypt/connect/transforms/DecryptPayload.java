package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.PluginVersion;
import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.AesGcm;
import io.envelopecrypt.connect.crypto.DataKey;
import io.envelopecrypt.connect.crypto.UnwrappedKeyCache;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.kms.KekConfig;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

import java.time.Clock;
import java.util.Map;

/**
 * Restores the original value and schema from an envelope written by {@link EncryptPayload}. The
 * envelope may arrive as a Struct (Avro or JSON converter with schemas) or a Map (schemaless JSON).
 * The output schema is rebuilt from the envelope itself: no schema needs to be configured.
 *
 * <p>Tampered envelopes, wrong keys and unknown versions fail with a {@link DataException} that says
 * what failed, never what the record contains.
 */
public class DecryptPayload<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    public static final String OVERVIEW_DOC = "Decrypts an envelope written by EncryptPayload back into the "
            + "original record value and schema.";

    public static final ConfigDef CONFIG_DEF = DecryptPayloadConfig.CONFIG_DEF;

    private final Clock clock;
    private KeyEncryptionKeyProvider kek;
    private UnwrappedKeyCache dataKeys;
    private EnvelopeOpener opener;
    private boolean passThroughNonEnvelopes;

    public DecryptPayload() {
        this(Clock.systemUTC());
    }

    DecryptPayload(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        passThroughNonEnvelopes = DecryptPayloadConfig.PASS_THROUGH.equalsIgnoreCase(
                config.getString(DecryptPayloadConfig.ON_NON_ENVELOPE));
        opener = new EnvelopeOpener(new AesGcm(), new PayloadCodecCache(256));
        kek = KekConfig.createProvider(config, KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
        dataKeys = new UnwrappedKeyCache(kek, config.getInt(DecryptPayloadConfig.DEK_CACHE_MAX_ENTRIES),
                config.getLong(DecryptPayloadConfig.DEK_CACHE_TTL_MS), clock);
    }

    @Override
    public R apply(R record) {
        Object value = record.value();
        if (value == null) {
            return record;
        }
        if (!EnvelopeCodec.looksLikeEnvelope(value)) {
            if (passThroughNonEnvelopes) {
                return record;
            }
            throw new DataException("The record value is not an envelope (it is a " + value.getClass().getName()
                    + " without envelopeVersion and encryptedPayload fields); set on.non.envelope=pass-through "
                    + "to let such records through");
        }
        Envelope envelope = EnvelopeCodec.read(value);
        PayloadCodec codec = opener.check(envelope);
        DataKey key;
        try {
            key = dataKeys.acquire(envelope.wrappedKey());
        } catch (KmsAccessException e) {
            if (e.isRecordProblem()) {
                throw new DataException(e.getMessage(), e);
            }
            throw e;
        }
        Object restored;
        try {
            restored = opener.open(envelope, codec, key);
        } catch (ConnectException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataException("Decrypting the envelope failed (" + e.getClass().getSimpleName() + ")",
                    SanitizedCause.of(e));
        } finally {
            key.release();
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                codec.connectSchema(), restored, record.timestamp(), record.headers());
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

    /** Unwrap calls made so far, for tests and metrics. */
    long unwraps() {
        return dataKeys.unwraps();
    }

    KeyEncryptionKeyProvider keyProvider() {
        return kek;
    }
}
