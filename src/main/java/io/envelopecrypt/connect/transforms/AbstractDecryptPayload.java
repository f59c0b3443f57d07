package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.engine.PlaintextValue;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The decrypting transform; use {@link DecryptPayload} (Kafka Connect 4.1+, with plugin metrics) or
 * {@link io.envelopecrypt.connect.transforms.compat.DecryptPayload} (older workers).
 *
 * <p>Restores the original value and schema from an envelope written by {@link EncryptPayload}. The
 * envelope may arrive as a Struct (Avro or JSON converter with schemas) or a Map (schemaless JSON).
 * The output schema is rebuilt from the envelope itself: no schema needs to be configured.
 *
 * <p>Tampered envelopes, wrong keys and unknown versions fail with a {@link DataException} that says
 * what failed, never what the record contains.
 */
public abstract class AbstractDecryptPayload<R extends ConnectRecord<R>> extends EnvelopeTransform<R> {

    public static final String OVERVIEW_DOC = "Decrypts an envelope written by EncryptPayload back into the "
            + "original record value and schema.";

    public static final ConfigDef CONFIG_DEF = DecryptPayloadConfig.CONFIG_DEF;

    /** Header added to values let through by {@code on.non.envelope=pass-through}. */
    public static final String PASS_THROUGH_HEADER = "envelopecrypt.not-decrypted";
    static final String NOT_AN_ENVELOPE = "not-an-envelope";

    private static final Logger log = LoggerFactory.getLogger(AbstractDecryptPayload.class);
    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<AbstractDecryptPayload> PASS_THROUGH_WARNING =
            AtomicLongFieldUpdater.newUpdater(AbstractDecryptPayload.class, "lastPassThroughWarning");

    private final Clock clock;
    private EnvelopeDecryptor engine;
    private boolean passThroughNonEnvelopes;
    private volatile long lastPassThroughWarning = Long.MIN_VALUE / 2;
    private final AtomicLong passedThroughSinceWarning = new AtomicLong();

    protected AbstractDecryptPayload(Clock clock) {
        super(CONFIG_DEF);
        this.clock = clock;
    }

    @Override
    public void configure(Map<String, ?> props) {
        DecryptPayloadConfig config = new DecryptPayloadConfig(props);
        passThroughNonEnvelopes = config.passThroughNonEnvelopes();
        EnvelopeDecryptor decryptor = EnvelopeDecryptor.create(config, counters(), clock);
        engine = decryptor;
        own(decryptor);
        counters().gauge("data-key-cache-hits-total", decryptor::cacheHits);
        counters().gauge("data-key-cache-misses-total", decryptor::unwraps);
        counters().gauge("data-key-cache-evictions-total", decryptor::cacheEvictions);
        counters().gauge("data-key-cache-size", decryptor::cachedKeys);
        counters().gauge("kek-remote-calls-total", decryptor::kekRemoteCalls);
        counters().gauge("data-keys-refused-without-kek-call-total", decryptor::refusalsWithoutKekCall);
        counters().gauge("keyring-failovers-total", decryptor::keyringFailovers);
    }

    @Override
    protected R applyToValue(R record) {
        Object value = record.value();
        if (!EnvelopeCodec.looksLikeEnvelope(value) && passThroughNonEnvelopes) {
            return passThrough(record);
        }
        Envelope envelope = read(value);
        PlaintextValue restored = engine.decrypt(record.topic(), envelope);
        counters().recordProcessed(envelope.plaintextLength(), envelope.encryptedPayload().length);
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                restored.schema(), restored.value(), record.timestamp(), record.headers());
    }

    /**
     * A value that is not an envelope, let through as configured: marked with a header, so that nothing
     * downstream mistakes it for a decrypted (authenticated) value, counted, and logged at most once a minute.
     */
    private R passThrough(R record) {
        counters().recordPassedThrough();
        long now = clock.millis();
        long last = lastPassThroughWarning;
        passedThroughSinceWarning.incrementAndGet();
        if (now - last >= 60_000 && PASS_THROUGH_WARNING.compareAndSet(this, last, now)) {
            log.warn("Passed {} record value(s) that are not envelopes through unchanged (on.non.envelope=pass-through); "
                    + "they carry the header {} and were not authenticated", passedThroughSinceWarning.getAndSet(0),
                    PASS_THROUGH_HEADER);
        }
        Headers headers = record.headers().duplicate();
        headers.addString(PASS_THROUGH_HEADER, NOT_AN_ENVELOPE);
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), record.value(), record.timestamp(), headers);
    }

    private static Envelope read(Object value) {
        if (!EnvelopeCodec.looksLikeEnvelope(value)) {
            throw new DataException("The record value is not an envelope (it is a " + value.getClass().getName()
                    + " without envelopeVersion and encryptedPayload fields); set on.non.envelope=pass-through "
                    + "to let such records through");
        }
        return EnvelopeCodec.read(value);
    }

    /** Unwrap calls made so far, for tests and metrics. */
    long unwraps() {
        return engine.unwraps();
    }
}
