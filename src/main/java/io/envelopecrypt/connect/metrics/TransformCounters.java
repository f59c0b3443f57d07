package io.envelopecrypt.connect.metrics;

import io.envelopecrypt.connect.kms.KekCallListener;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What a transform counts, cheaply enough for every record (a {@link LongAdder} increment). On Kafka 4.1+
 * workers these become plugin metrics (see {@link PluginMetricsRegistrar}); they are kept on older workers
 * too, and in tests.
 */
public final class TransformCounters implements KekCallListener {
    /** Why a record failed, for the failures-total metric. */
    public enum Failure {
        /** The value or the envelope is not valid (bad input). */
        INVALID_INPUT("invalid-input"),
        /** Authentication failed: a tampered envelope or the wrong key. */
        AUTHENTICATION("authentication"),
        /** The key service could not be reached in time (retriable). */
        KEK_UNAVAILABLE("kek-unavailable"),
        /** The key service refused: credentials, permission, missing or disabled key. */
        KEK_ACCESS("kek-access"),
        /** Anything else. */
        OTHER("other");

        public final String tag;

        Failure(String tag) {
            this.tag = tag;
        }
    }

    private final LongAdder records = new LongAdder();
    private final LongAdder passedThrough = new LongAdder();
    private final LongAdder plaintextBytes = new LongAdder();
    private final LongAdder ciphertextBytes = new LongAdder();
    private final Map<Failure, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<String, CallStats> kekCalls = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new LinkedHashMap<>();
    /** Records per key name; the engine bounds the names (at most 100, then "(other)"). */
    private final Map<String, LongAdder> recordsByKey = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, LongSupplier> newKeyListener = (name, count) -> { };

    /** Latency and outcome of one key-service operation. */
    public static final class CallStats {
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final AtomicLong maxNanos = new AtomicLong();

        public long calls() {
            return calls.sum();
        }

        public long failures() {
            return failures.sum();
        }

        public double averageMillis() {
            long n = calls.sum();
            return n == 0 ? 0 : nanos.sum() / 1e6 / n;
        }

        public double maxMillis() {
            return maxNanos.get() / 1e6;
        }
    }

    public void recordProcessed(int plaintext, int ciphertext) {
        records.increment();
        plaintextBytes.add(plaintext);
        ciphertextBytes.add(ciphertext);
    }

    public void recordPassedThrough() {
        passedThrough.increment();
    }

    public void recordFailure(Failure failure) {
        failures.computeIfAbsent(failure, f -> new LongAdder()).increment();
    }

    @Override
    public void onKekCall(String operation, long nanos, boolean succeeded) {
        CallStats s = kekCalls.computeIfAbsent(operation, o -> new CallStats());
        s.calls.increment();
        s.nanos.add(nanos);
        s.maxNanos.accumulateAndGet(nanos, Math::max);
        if (!succeeded) {
            s.failures.increment();
        }
    }

    @Override
    public void onRecordForKey(String keyName) {
        LongAdder n = recordsByKey.get(keyName);
        if (n == null) {
            n = recordsByKey.computeIfAbsent(keyName, k -> {
                LongAdder fresh = new LongAdder();
                newKeyListener.accept(k, fresh::sum);
                return fresh;
            });
        }
        n.increment();
    }

    /** Records encrypted or decrypted under {@code keyName}. */
    public long recordsForKey(String keyName) {
        LongAdder n = recordsByKey.get(keyName);
        return n == null ? 0 : n.sum();
    }

    /** Told of each key name the first time a record uses it (to publish a metric for it), and of those seen so far. */
    public void onNewKey(java.util.function.BiConsumer<String, LongSupplier> listener) {
        newKeyListener = listener;
        recordsByKey.forEach((k, v) -> listener.accept(k, v::sum));
    }

    /** Registers a value the transform computes elsewhere (data-key cache figures, remote calls). */
    public synchronized void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
    }

    public long records() {
        return records.sum();
    }

    public long passedThrough() {
        return passedThrough.sum();
    }

    public long plaintextBytes() {
        return plaintextBytes.sum();
    }

    public long ciphertextBytes() {
        return ciphertextBytes.sum();
    }

    public long failures(Failure f) {
        LongAdder a = failures.get(f);
        return a == null ? 0 : a.sum();
    }

    public CallStats kekCalls(String operation) {
        return kekCalls.computeIfAbsent(operation, o -> new CallStats());
    }

    public synchronized Map<String, LongSupplier> gauges() {
        return new LinkedHashMap<>(gauges);
    }
}
