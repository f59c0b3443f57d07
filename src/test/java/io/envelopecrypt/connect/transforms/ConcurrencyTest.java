package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.testing.RandomConnectData;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static org.assertj.core.api.Assertions.assertThat;

class ConcurrencyTest {

    @Test
    void oneInstanceOfEachTransformServesManyThreadsWhileKeysRotate() throws Exception {
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
        DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
        // Tiny limits so that rotation and eviction race with encryption and decryption.
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "7"));
        decrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.cache.max.entries", "3"));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = t * 100_000L;
            results.add(pool.submit(() -> {
                int n = 0;
                for (long seed = base; seed < base + 400; seed++) {
                    RandomConnectData gen = new RandomConnectData(seed, 3);
                    Schema schema = seed % 2 == 0 ? gen.valueSchema() : null;
                    Object value = schema != null ? gen.value(schema) : gen.schemalessMap(0, true);
                    if (value == null) {
                        continue;
                    }
                    SourceRecord out = decrypt.apply(encrypt.apply(RoundTripTest.record(schema, value, seed)));
                    assertDeepEquals(value, out.value());
                    n++;
                }
                return n;
            }));
        }
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(total).isGreaterThan(threads * 300);
        assertThat(encrypt.dataKeysCreated()).isGreaterThanOrEqualTo(total / 7);
        encrypt.close();
        decrypt.close();
    }
}
