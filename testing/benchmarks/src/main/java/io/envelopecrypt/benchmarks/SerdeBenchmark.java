package io.envelopecrypt.benchmarks;

import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.serde.EnvelopeDeserializer;
import io.envelopecrypt.serde.EnvelopeSerializer;

import org.apache.avro.generic.GenericRecord;
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

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code EnvelopeSerializer.serialize} of an Avro {@code GenericRecord} and {@code EnvelopeDeserializer.deserialize}
 * back to Avro or Connect data, on one thread, with the JMH {@code struct-1KB} order (as a GenericRecord of its
 * payload's Avro schema) and a local key: the per-record cost of the serde beside the transform's
 * ({@link TransformBenchmark}). {@code format=avro} writes the Confluent wire format, with an in-process stand-in
 * for the registry's two calls (registering the envelope schema once, fetching it once): what is measured is the
 * per-record path, which never calls the registry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SerdeBenchmark {
    private static final int RING = 64;

    /** What the deserializer hands out: avro (GenericRecord) or connect (SchemaAndValue). */
    @Param({"avro", "connect"})
    public String valueType;

    /** envelope.format: avro (the Confluent wire format) or json (JsonConverter's JSON). */
    @Param({"avro", "json"})
    public String format;

    private com.sun.net.httpserver.HttpServer registry;
    private volatile String registeredSchema;

    private Keks keks;
    private EnvelopeSerializer serializer;
    private EnvelopeDeserializer deserializer;
    private GenericRecord[] records;
    private byte[][] envelopes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        keks = new Keks();
        SourceRecord[] plain = Payloads.records(Payloads.Shape.of("struct-1KB"), RING,
                r -> PayloadCodec.forSchema(r.valueSchema()).encode(r.value()).length);
        records = new GenericRecord[RING];
        org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser().parse(
                PayloadCodec.forSchema(plain[0].valueSchema()).schemaJson());
        for (int i = 0; i < RING; i++) {
            records[i] = (GenericRecord) ConnectGenericRecords.toAvro(plain[i].value(), plain[i].valueSchema(), avro);
        }
        Map<String, Object> settings = new HashMap<>(keks.config("local", true));
        settings.put("envelope.format", format);
        settings.put("schema.registry.url", startRegistry());
        serializer = new EnvelopeSerializer();
        serializer.configure(settings, false);
        settings.put("value.type", valueType);
        deserializer = new EnvelopeDeserializer();
        deserializer.configure(settings, false);
        envelopes = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            envelopes[i] = serializer.serialize("orders", records[i]);
            if (deserializer.deserialize("orders", envelopes[i]) == null) {
                throw new IllegalStateException("record " + i + " did not round-trip");
            }
        }
    }

    /** Answers a registration with id 1 and serves what was registered under it. */
    private String startRegistry() {
        try {
            registry = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        registry.createContext("/", exchange -> {
            byte[] answer;
            if ("POST".equals(exchange.getRequestMethod())) {
                registeredSchema = json.readTree(exchange.getRequestBody()).get("schema").asText();
                answer = json.writeValueAsBytes(Map.of("id", 1));
            } else {
                answer = json.writeValueAsBytes(Map.of("schema", registeredSchema));
            }
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        registry.start();
        return "http://127.0.0.1:" + registry.getAddress().getPort();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        serializer.close();
        deserializer.close();
        keks.close();
        registry.stop(0);
    }

    @Benchmark
    public byte[] serialize() {
        return serializer.serialize("orders", records[next++ & (RING - 1)]);
    }

    @Benchmark
    public Object deserialize() {
        return deserializer.deserialize("orders", envelopes[next++ & (RING - 1)]);
    }
}
