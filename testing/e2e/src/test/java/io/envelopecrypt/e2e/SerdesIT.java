package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.serde.EnvelopeSerde;
import io.envelopecrypt.serde.EnvelopeSerializer;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.avro.LogicalTypes;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 on the real stack: the serializers on the engine behind the transforms. A plain Java producer writes
 * envelopes with {@link EnvelopeSerializer} (Avro records in, the Confluent wire format through Apicurio's ccompat
 * API) that {@code DecryptPayload} restores on a Connect sink; a Kafka Streams topology reads what
 * {@code EncryptPayload} wrote on a Connect source through {@link EnvelopeSerde}.
 */
@ExtendWith(SharedStackExtension.class)
class SerdesIT {
    private static final org.apache.avro.Schema LINE = SchemaBuilder.record("LineItem").namespace("com.example.shop")
            .fields().requiredString("sku").requiredInt("quantity").endRecord();
    private static final org.apache.avro.Schema STATUS = SchemaBuilder.enumeration("Status").namespace("com.example.shop")
            .symbols("NEW", "PAID");
    private static final org.apache.avro.Schema DECIMAL = LogicalTypes.decimal(10, 2).addToSchema(org.apache.avro.Schema.create(
            org.apache.avro.Schema.Type.BYTES));
    private static final org.apache.avro.Schema TIMESTAMP = LogicalTypes.timestampMillis().addToSchema(
            org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG));
    private static final org.apache.avro.Schema ORDER = SchemaBuilder.record("Order").namespace("com.example.shop")
            .fields()
            .requiredString("id")
            .name("amount").type(DECIMAL).noDefault()
            .name("placedAt").type(TIMESTAMP).noDefault()
            .name("status").type(STATUS).noDefault()
            .name("items").type().array().items(LINE).noDefault()
            .name("tags").type().map().values().stringType().noDefault()
            .optionalString("note")
            .endRecord();

    private final SharedStack shared;
    private final ConnectCluster connect;

    SerdesIT(SharedStack shared) {
        this.shared = shared;
        this.connect = shared.connect;
    }

    private static GenericRecord order(int n) {
        GenericRecord r = new GenericData.Record(ORDER);
        r.put("id", "order-" + n);
        r.put("amount", ByteBuffer.wrap(new BigDecimal("12.34").add(BigDecimal.valueOf(n)).unscaledValue().toByteArray()));
        r.put("placedAt", 1_767_225_600_000L + n);
        r.put("status", new GenericData.EnumSymbol(STATUS, n % 2 == 0 ? "NEW" : "PAID"));
        GenericRecord line = new GenericData.Record(LINE);
        line.put("sku", "sku-" + (n % 7));
        line.put("quantity", n % 5 + 1);
        r.put("items", List.of(line));
        r.put("tags", Map.of("channel", "web"));
        r.put("note", n % 3 == 0 ? null : "leave at the door " + n);
        return r;
    }

    /** The Connect value an Avro converter would have handed EncryptPayload for {@link #order}. */
    private static Struct expected(int n, Schema schema) {
        Struct line = new Struct(schema.field("items").schema().valueSchema()).put("sku", "sku-" + (n % 7)).put("quantity", n % 5 + 1);
        return new Struct(schema).put("id", "order-" + n)
                .put("amount", new BigDecimal("12.34").add(BigDecimal.valueOf(n)))
                .put("placedAt", new java.util.Date(1_767_225_600_000L + n))
                .put("status", n % 2 == 0 ? "NEW" : "PAID")
                .put("items", List.of(line))
                .put("tags", Map.of("channel", "web"))
                .put("note", n % 3 == 0 ? null : "leave at the door " + n);
    }

    @Test
    void aPlainProducerWritesEnvelopesThatDecryptPayloadRestoresOnAConnectSink() throws Exception {
        String topic = "orders-from-a-producer";
        int records = 200;
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, shared.stack.broker().bootstrapServers());
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EnvelopeSerializer.class.getName());
        producer.put("kek.provider", "local");
        producer.put("local.key", SharedStack.LOCAL_KEY);
        producer.put("schema.registry.url", shared.stack.registry().ccompatUrl());
        producer.put("payload.schema.location", "registry");
        producer.put("payload.compression", "zstd");
        try (KafkaProducer<String, Object> p = new KafkaProducer<>(producer)) {
            for (int n = 0; n < records; n++) {
                ProducerRecord<String, Object> r = new ProducerRecord<>(topic, "order-" + n, order(n));
                r.headers().add("sequence", Integer.toString(n).getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        }
        Path out = shared.stack.workDir().resolve(topic + ".jsonl");
        connect.createConnector("producer-sink", Pipelines.decryptingSink(topic, out, shared.stack.registry(),
                Pipelines.registryReader(shared.stack.registry().ccompatUrl())));
        try {
            List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect, "producer-sink");
            assertThat(received).hasSize(records);
            for (Recording.Received r : received) {
                int n = Integer.parseInt(r.header("sequence"));
                Schema schema = r.schema();
                assertThat(schema.name()).isEqualTo("com.example.shop.Order");
                assertThat(schema.field("amount").schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
                assertThat(schema.field("placedAt").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
                assertThat(schema.field("note").schema().isOptional()).isTrue();
                assertThat(r.value()).as("order %d", n).isEqualTo(expected(n, schema));
            }
            assertThat(shared.stack.registry().subjects()).contains(topic + "-value", topic + "-payload");
        } finally {
            connect.deleteConnector("producer-sink");
        }
    }

    @Test
    void aKafkaStreamsTopologyReadsWhatEncryptPayloadWroteOnAConnectSource() throws Exception {
        String topic = "payments-for-streams";
        String output = "payments-summaries";
        int records = 300;
        long seed = 15;
        Map<String, String> kek = Pipelines.registryWriter(shared.stack.registry().ccompatUrl(), "none");
        connect.createConnector("streams-source", Pipelines.encryptingSource(topic, records, seed, shared.stack.registry(), kek));
        try {
            Wait.until(records + " records on " + topic, SharedStack.timeout(), () -> shared.stack.broker().endOffsets(topic) >= records);
        } finally {
            connect.deleteConnector("streams-source");
        }

        Map<String, Object> serde = new HashMap<>();
        serde.put("kek.provider", "local");
        serde.put("local.key", SharedStack.LOCAL_KEY);
        serde.put("schema.registry.url", shared.stack.registry().ccompatUrl());
        serde.put("value.type", "avro");
        EnvelopeSerde envelopes = new EnvelopeSerde();
        envelopes.configure(serde, false);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.String(), envelopes))
                .mapValues(v -> {
                    GenericRecord payment = (GenericRecord) v;
                    return payment.get("paymentId") + "|" + ((GenericRecord) payment.get("card")).get("number") + "|"
                            + payment.get("sequence");
                })
                .to(output, Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "envelope-streams-it");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, shared.stack.broker().bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, shared.stack.workDir().resolve("streams-state").toString());
        props.put("auto.offset.reset", "earliest");
        try (EnvelopeSerde closing = envelopes; KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            Wait.until(records + " summaries on " + output, SharedStack.timeout(), () -> {
                if (streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the Streams app failed");
                }
                return shared.stack.broker().endOffsets(output) >= records;
            });
        }
        List<ConsumerRecord<byte[], byte[]>> summaries = shared.stack.broker().readAll(output, Duration.ofSeconds(30));
        assertThat(summaries).hasSize(records);
        for (ConsumerRecord<byte[], byte[]> r : summaries) {
            String[] parts = new String(r.value(), StandardCharsets.UTF_8).split("\\|");
            long seq = Long.parseLong(parts[2]);
            Struct payment = Payments.payment(seed, seq);
            assertThat(parts[0]).isEqualTo(payment.getString("paymentId"));
            assertThat(parts[1]).isEqualTo(payment.getStruct("card").getString("number"));
        }
    }
}
