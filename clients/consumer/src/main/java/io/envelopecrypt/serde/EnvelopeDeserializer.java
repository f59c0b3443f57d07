package io.envelopecrypt.serde;

import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.consumer.Decrypted;
import io.envelopecrypt.consumer.SchemaRegistryClient;
import io.envelopecrypt.consumer.TopicDecryptor;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.data.SchemaAndValue;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kafka {@link Deserializer} that decrypts envelopes, on the engine behind {@code DecryptPayload}: a plain
 * consumer or a Kafka Streams app reads what {@code EncryptPayload} (or {@link EnvelopeSerializer}) wrote,
 * whichever converter wrote it (the Confluent wire format, resolved through {@code schema.registry.url}, or
 * {@code JsonConverter}'s JSON).
 *
 * <p>{@code value.type} says what it returns ({@link EnvelopeDeserializerConfig.ValueType}): Avro data (default),
 * Connect data as {@code DecryptPayload} restores it, or JSON text. Null stays null (a tombstone).
 *
 * <p>Failures are {@code DataException}s (a record that is not an envelope, or fails authentication) and
 * {@code ConnectException}s (a key or registry that cannot be used; the retriable ones when unreachable); in a
 * Kafka Streams app they go to its deserialization exception handler. Messages never contain plaintext, keys or
 * secrets. Thread-safe; close it to wipe the cached data keys.
 */
public class EnvelopeDeserializer implements Deserializer<Object> {
    private TopicDecryptor decryptor;
    private EnvelopeDeserializerConfig.ValueType valueType;
    /** The payload codec and Avro schema by Connect schema: built once per schema, not per record. */
    private final Map<org.apache.kafka.connect.data.Schema, AvroOut> avroOut = new ConcurrentHashMap<>();

    /** The last one used, compared by identity: the decrypting engine hands out one schema instance per schema. */
    private volatile AvroOut lastOut;

    private record AvroOut(org.apache.kafka.connect.data.Schema connect, PayloadCodec codec, org.apache.avro.Schema schema) {
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (isKey) {
            throw new ConfigException("EnvelopeDeserializer decrypts record values only");
        }
        @SuppressWarnings("unchecked")
        EnvelopeDeserializerConfig config = new EnvelopeDeserializerConfig((Map<String, Object>) configs);
        valueType = config.valueType();
        io.envelopecrypt.connect.registry.SchemaRegistryClient http = config.schemaRegistry();
        decryptor = new TopicDecryptor(EnvelopeDecryptor.create(config, KekCallListener.NONE, Clock.systemUTC()),
                http == null ? null : new SchemaRegistryClient(http));
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        Decrypted d = decryptor.decrypt(topic, data);
        return switch (valueType) {
            case CONNECT -> new SchemaAndValue(d.schema(), d.value());
            case JSON -> d.toJson();
            case AVRO -> avro(d);
        };
    }

    @Override
    public Object deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    private Object avro(Decrypted d) {
        if (d.schema() == null) {
            return d.value(); // schemaless: maps, lists and Java values, as they were written
        }
        AvroOut out = lastOut;
        if (out == null || out.connect() != d.schema()) {
            out = avroOut(d.schema());
            lastOut = out;
        }
        return AvroConnectData.toAvro(out.codec().encode(d.value()), out.schema());
    }

    private AvroOut avroOut(org.apache.kafka.connect.data.Schema schema) {
        AvroOut out = avroOut.get(schema);
        if (out == null) {
            PayloadCodec codec = PayloadCodec.forSchema(schema);
            out = new AvroOut(schema, codec, new org.apache.avro.Schema.Parser().parse(codec.schemaJson()));
            if (avroOut.size() >= 1000) {
                avroOut.clear(); // schemas come from the topic's writers: keep what is cached bounded
            }
            avroOut.put(schema, out);
        }
        return out;
    }

    /** Unwrap calls so far: one per distinct data key while it stays cached. */
    public long unwraps() {
        return decryptor.unwraps();
    }

    @Override
    public void close() {
        if (decryptor != null) {
            decryptor.close();
        }
    }
}
