package io.envelopecrypt.benchmarks;

import io.envelopecrypt.connect.payload.BinaryWriter;
import io.envelopecrypt.connect.payload.PayloadCodec;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The two hand-made parts of the plaintext path, each against what it replaces, on the 1 KB order Struct:
 * <ul>
 *   <li>{@code ours*}: {@link PayloadCodec}'s compiled codecs and {@code BinaryWriter}/{@code BinaryReader},
 *       Connect Struct to Avro binary and back;</li>
 *   <li>{@code avro*}: Avro's own {@code GenericDatumWriter}/{@code GenericDatumReader} with a reused
 *       encoder/decoder, plus the Connect↔GenericRecord conversion an Avro-based codec needs
 *       ({@link ConnectGenericRecords}, what Confluent's AvroData does);</li>
 *   <li>{@code oursDecodeWithStructPut}: decoding in a JVM started with {@code -Denvelopecrypt.struct.direct=false},
 *       so every value goes through {@code Struct.put} instead of {@code TrustedStructs}' direct slots.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CodecBenchmark {
    private static final int RING = 64;

    private Struct[] values;
    private byte[][] encoded;
    private PayloadCodec codec;
    private org.apache.avro.Schema avroSchema;
    private GenericRecord[] records;
    private GenericDatumWriter<GenericRecord> writer;
    private GenericDatumReader<GenericRecord> reader;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;
    private final BinaryWriter out = new BinaryWriter();
    private int next;

    @Setup
    public void setUp() {
        SourceRecord[] recs = Payloads.records(Payloads.Shape.of("struct-1KB"), RING, r -> 1024);
        Schema schema = recs[0].valueSchema();
        codec = PayloadCodec.forSchema(schema);
        avroSchema = new org.apache.avro.Schema.Parser().setValidateDefaults(false).parse(codec.schemaJson());
        values = new Struct[RING];
        encoded = new byte[RING][];
        records = new GenericRecord[RING];
        for (int i = 0; i < RING; i++) {
            values[i] = (Struct) recs[i].value();
            encoded[i] = codec.encode(values[i]);
            records[i] = (GenericRecord) ConnectGenericRecords.toAvro(values[i], schema, avroSchema);
        }
        writer = new GenericDatumWriter<>(avroSchema, GenericData.get());
        reader = new GenericDatumReader<>(avroSchema, avroSchema, GenericData.get());
        // Both encoders must produce the same bytes, or the comparison means nothing.
        for (int i = 0; i < RING; i++) {
            if (!java.util.Arrays.equals(encoded[i], avroEncode(values[i]))) {
                throw new IllegalStateException("Avro's encoding of record " + i + " differs from ours");
            }
            if (!values[i].equals(avroDecode(encoded[i])) || !values[i].equals(codec.decode(encoded[i]))) {
                throw new IllegalStateException("record " + i + " does not decode to itself");
            }
        }
    }

    private byte[] avroEncode(Struct value) {
        try {
            bytes.reset();
            encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
            writer.write((GenericRecord) ConnectGenericRecords.toAvro(value, codec.connectSchema(), avroSchema), encoder);
            encoder.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Struct avroDecode(byte[] plaintext) {
        try {
            decoder = DecoderFactory.get().binaryDecoder(plaintext, decoder);
            return (Struct) ConnectGenericRecords.toConnect(reader.read(null, decoder), codec.connectSchema());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public int oursEncode() {
        out.reset();
        codec.encode(values[next++ & (RING - 1)], out);
        return out.length();
    }

    @Benchmark
    public byte[] avroEncode() {
        return avroEncode(values[next++ & (RING - 1)]);
    }

    @Benchmark
    public Object oursDecode() {
        return codec.decode(encoded[next++ & (RING - 1)]);
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Denvelopecrypt.struct.direct=false"})
    public Object oursDecodeWithStructPut() {
        return codec.decode(encoded[next++ & (RING - 1)]);
    }

    @Benchmark
    public Struct avroDecode() {
        return avroDecode(encoded[next++ & (RING - 1)]);
    }
}
