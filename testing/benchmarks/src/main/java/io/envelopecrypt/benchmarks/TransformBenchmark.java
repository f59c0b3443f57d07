package io.envelopecrypt.benchmarks;

import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code EncryptPayload.apply} and {@code DecryptPayload.apply} on one thread, for each payload shape of
 * {@link Payloads} and each key mode, with warm data-key caches (as in a running task: the encrypting side
 * creates a data key once per million records or hour, the decrypting side unwraps each one once).
 * Records cycle through {@code ring} distinct values (a power of two). Run with {@code -prof gc} for bytes
 * allocated per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TransformBenchmark {
    /** Distinct records cycled through; 64 keep the working set in cache as in a task, 1024 do not. */
    @Param({"64"})
    public int ring;

    @Param({"struct-100B", "struct-1KB", "struct-10KB", "map-1KB", "string-1KB"})
    public String payload;

    @Param({"local", "azure"})
    public String kek;

    /** {@code payload.compression}: none (the default), lz4, zstd or snappy. */
    @Param({"none"})
    public String compression;

    private Keks keks;
    private EncryptPayload<SourceRecord> encrypt;
    private DecryptPayload<SourceRecord> decrypt;
    private SourceRecord[] plain;
    private SourceRecord[] encrypted;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        if (Integer.bitCount(ring) != 1) {
            throw new IllegalArgumentException("ring must be a power of two");
        }
        keks = new Keks();
        // Records are padded to their size as encoded, before any compression: size them with an uncompressed writer.
        EncryptPayload<SourceRecord> sizing = new EncryptPayload<>();
        sizing.configure(keks.config(kek, true));
        plain = Payloads.records(Payloads.Shape.of(payload), ring, r -> plaintextSize(sizing.apply(r)));
        sizing.close();
        java.util.Map<String, Object> writer = new java.util.HashMap<>(keks.config(kek, true));
        writer.put("payload.compression", compression);
        encrypt = new EncryptPayload<>();
        encrypt.configure(writer);
        decrypt = new DecryptPayload<>();
        decrypt.configure(keks.config(kek, false));
        encrypted = new SourceRecord[ring];
        for (int i = 0; i < ring; i++) {
            encrypted[i] = encrypt.apply(plain[i]);
            SourceRecord back = decrypt.apply(encrypted[i]);
            if (!back.value().equals(plain[i].value()) || !java.util.Objects.equals(back.valueSchema(), plain[i].valueSchema())) {
                throw new IllegalStateException("record " + i + " of " + payload + " did not round-trip");
            }
        }
    }

    /** The size of what the transform encrypted: the GCM ciphertext minus its 16-byte tag. */
    public static int plaintextSize(SourceRecord encrypted) {
        return ((Struct) encrypted.value()).getBytes("encryptedPayload").length - 16;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encrypt.close();
        decrypt.close();
        keks.close();
    }

    @Benchmark
    public SourceRecord encrypt() {
        return encrypt.apply(plain[next++ & (ring - 1)]);
    }

    @Benchmark
    public SourceRecord decrypt() {
        return decrypt.apply(encrypted[next++ & (ring - 1)]);
    }
}
