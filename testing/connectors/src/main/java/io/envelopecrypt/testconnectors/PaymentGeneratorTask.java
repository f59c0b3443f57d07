package io.envelopecrypt.testconnectors;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Produces the events of {@link Payments} in sequence, at an optional rate. */
public class PaymentGeneratorTask extends SourceTask {
    private String topic;
    private long records;
    private int rate;
    private long seed;
    private boolean schemaless;
    private int tombstoneEvery;
    private int tenants;
    private int batch;
    private long next;
    private long startedNanos;
    private long producedSinceStart;
    private Map<String, Object> partition;

    @Override
    public void start(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(PaymentGeneratorConnector.CONFIG, props);
        topic = c.getString(PaymentGeneratorConnector.TOPIC);
        records = c.getLong(PaymentGeneratorConnector.RECORDS);
        rate = c.getInt(PaymentGeneratorConnector.RATE);
        seed = c.getLong(PaymentGeneratorConnector.SEED);
        schemaless = c.getBoolean(PaymentGeneratorConnector.SCHEMALESS);
        tombstoneEvery = c.getInt(PaymentGeneratorConnector.TOMBSTONE_EVERY);
        tenants = c.getInt(PaymentGeneratorConnector.TENANTS);
        batch = c.getInt(PaymentGeneratorConnector.BATCH);
        partition = Map.of("generator", topic, "seed", seed);
        Map<String, Object> offset = context.offsetStorageReader().offset(partition);
        next = offset == null ? 0 : ((Number) offset.get("sequence")).longValue() + 1;
        startedNanos = System.nanoTime();
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (records >= 0 && next >= records) {
            Thread.sleep(200);
            return null;
        }
        int n = batch;
        if (rate > 0) {
            long allowed = (System.nanoTime() - startedNanos) * rate / 1_000_000_000L - producedSinceStart;
            if (allowed <= 0) {
                Thread.sleep(Math.max(1, 1000 / rate));
                return null;
            }
            n = (int) Math.min(n, allowed);
        }
        if (records >= 0) {
            n = (int) Math.min(n, records - next);
        }
        List<SourceRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++, next++) {
            out.add(record(next));
        }
        producedSinceStart += n;
        return out;
    }

    SourceRecord record(long sequence) {
        Map<String, Object> offset = Map.of("sequence", sequence);
        String key = Payments.key(seed, sequence);
        // Current time: a broker deletes records with timestamps older than its retention.
        long timestamp = System.currentTimeMillis();
        if (Payments.isTombstone(sequence, tombstoneEvery)) {
            return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, key, null, null,
                    timestamp, Payments.headers(seed, sequence, tenants));
        }
        Object value = schemaless ? Payments.paymentMap(seed, sequence) : Payments.payment(seed, sequence);
        return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, key,
                schemaless ? null : Payments.PAYMENT, value, timestamp, Payments.headers(seed, sequence, tenants));
    }

    @Override
    public void stop() {
    }

    @Override
    public String version() {
        return "test";
    }
}
