package io.envelopecrypt.benchmarks;

import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark payloads are what docs/performance.md says they are, and the benchmark fixtures work. */
class PayloadsTest {
    private static Keks keks;
    private static EncryptPayload<SourceRecord> encrypt;

    @BeforeAll
    static void start() {
        keks = new Keks();
        encrypt = new EncryptPayload<>();
        encrypt.configure(keks.config("local", true));
    }

    @AfterAll
    static void stop() {
        encrypt.close();
        keks.close();
    }

    @Test
    void everyRecordOfAShapeHasTheNominalPlaintextSize() {
        for (Payloads.Shape shape : Payloads.Shape.values()) {
            SourceRecord[] records = Payloads.records(shape, 64, r -> TransformBenchmark.plaintextSize(encrypt.apply(r)));
            for (SourceRecord r : records) {
                assertThat(TransformBenchmark.plaintextSize(encrypt.apply(r))).as(shape.label).isEqualTo(shape.plaintextBytes);
            }
            assertThat(records[0].value()).as("distinct values").isNotEqualTo(records[1].value());
        }
    }

    @Test
    void theBenchmarkSetUpRoundTripsEveryRecordWithBothKeyModes() {
        for (String kek : new String[] {"local", "azure"}) {
            TransformBenchmark b = new TransformBenchmark();
            b.payload = "struct-1KB";
            b.kek = kek;
            b.ring = 64;
            b.compression = "none";
            b.setUp(); // decrypts every encrypted record and throws unless value and schema equal the original
            try {
                assertThat(((org.apache.kafka.connect.data.Struct) b.encrypt().value()).schema().name())
                        .isEqualTo("io.envelopecrypt.EncryptedMessage");
                assertThat(b.decrypt().valueSchema()).isEqualTo(Payloads.records(Payloads.Shape.of("struct-1KB"), 1, r -> 0)[0].valueSchema());
            } finally {
                b.tearDown();
            }
        }
    }
}
