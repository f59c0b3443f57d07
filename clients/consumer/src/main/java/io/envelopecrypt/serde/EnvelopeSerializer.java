package io.envelopecrypt.serde;

import io.envelopecrypt.connect.engine.EnvelopeEncryptor;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.registry.SchemaRegistryClient;
import io.envelopecrypt.connect.registry.SchemaRegistrySettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kafka {@link Serializer} that writes record values as envelopes, on the engine behind {@code EncryptPayload}:
 * a plain producer (or a Kafka Streams app) writes topics that {@code DecryptPayload}, the Java API, the CLI and
 * the Python reader read, and the other way round.
 *
 * <p>Values: an Avro {@code GenericRecord}, {@code SpecificRecord} or other {@code GenericContainer} (converted as an
 * Avro converter would, see {@link AvroConnectData}); Connect data (a {@code Struct}, or a {@code SchemaAndValue}
 * for any value with a schema); a Jackson {@code JsonNode} (a schemaless value, as {@code JsonConverter} without
 * schemas reads JSON); and schemaless Java values (maps, lists, strings, numbers, booleans, byte arrays). Null is a
 * tombstone and stays null.
 *
 * <p>Output: with {@code envelope.format=avro} (the default) the Confluent wire format, the envelope's Avro schema
 * registered under {@code <topic>-value} in {@code schema.registry.url}; with {@code json} the JSON object
 * {@code JsonConverter} writes. Settings are {@code EncryptPayload}'s ({@link EnvelopeSerializerConfig}), passed as
 * producer properties ({@code value.serializer=io.envelopecrypt.serde.EnvelopeSerializer}).
 *
 * <p>Thread-safe, like the engine. Close it (the producer does) to wipe the data keys.
 */
public class EnvelopeSerializer implements Serializer<Object> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnvelopeEncryptor engine;
    private Schema envelopeSchema;
    private PayloadCodec envelopeAvro;
    private JsonConverter json;
    private SchemaRegistryClient registry;
    private boolean autoRegister;
    private String eventType;
    /** The wire format's header (magic byte and envelope schema id) by topic: registered once per subject. */
    private final Map<String, byte[]> headersByTopic = new ConcurrentHashMap<>();
    private final AvroConnectData avro = new AvroConnectData();
    private final Clock clock = Clock.systemUTC();
    private static final JsonConverter JSON_READER = new JsonConverter();

    static {
        JSON_READER.configure(Map.of("schemas.enable", "false"), false);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (isKey) {
            throw new ConfigException("EnvelopeSerializer encrypts record values only: an encrypted key differs for every "
                    + "record, which breaks partitioning and compaction by key");
        }
        @SuppressWarnings("unchecked")
        EnvelopeSerializerConfig config = new EnvelopeSerializerConfig((Map<String, Object>) configs);
        envelopeSchema = EnvelopeSchema.build(config.getString(EnvelopeSerializerConfig.ENVELOPE_SCHEMA_NAME));
        eventType = config.getString(EnvelopeSerializerConfig.EVENT_TYPE);
        autoRegister = config.getBoolean(EnvelopeSerializerConfig.AUTO_REGISTER);
        if (config.avro()) {
            registry = SchemaRegistrySettings.client(config);
            if (registry == null) {
                throw new ConfigException(SchemaRegistrySettings.URL, "", "required with envelope.format=avro (the "
                        + "Confluent wire format registers the envelope's schema); or set envelope.format=json");
            }
            envelopeAvro = PayloadCodec.forSchema(envelopeSchema);
        } else {
            json = new JsonConverter();
            json.configure(Map.of("schemas.enable", "false"), false);
        }
        engine = EnvelopeEncryptor.create(config, KekCallListener.NONE, clock);
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        if (data == null) {
            return null;
        }
        SchemaAndValue value = connectData(data);
        EnvelopeHeader header = new EnvelopeHeader(EnvelopeHeader.newId(), clock.millis(), eventType != null ? eventType : topic,
                null);
        Envelope envelope = engine.encrypt(topic, value.schema(), value.value(), header);
        Struct struct = EnvelopeCodec.toStruct(envelope, envelopeSchema);
        if (json != null) {
            return json.fromConnectData(topic, envelopeSchema, struct);
        }
        byte[] body = envelopeAvro.encode(struct);
        byte[] head = headersByTopic.computeIfAbsent(topic, t -> wireHeader(t + "-value"));
        return ByteBuffer.allocate(head.length + body.length).put(head).put(body).array();
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Object data) {
        return serialize(topic, data);
    }

    /** Magic byte 0 and the envelope schema's id under {@code subject}: registered (or looked up) once per subject. */
    private byte[] wireHeader(String subject) {
        String schema = envelopeAvro.schemaJson();
        int id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
        return ByteBuffer.allocate(5).put((byte) 0).putInt(id).array();
    }

    private SchemaAndValue connectData(Object data) {
        if (data instanceof GenericContainer container) {
            return avro.toConnect(container);
        }
        if (data instanceof SchemaAndValue sv) {
            return sv;
        }
        if (data instanceof Struct struct) {
            return new SchemaAndValue(struct.schema(), struct);
        }
        if (data instanceof JsonNode node) {
            return new SchemaAndValue(null, jsonValue(node));
        }
        return new SchemaAndValue(null, data);
    }

    /** JSON as JsonConverter reads it without schemas: objects to maps, arrays to lists, numbers to Long/Double. */
    private static Object jsonValue(JsonNode node) {
        try {
            return JSON_READER.toConnectData("", JSON.writeValueAsBytes(node)).value();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
    }

    /** For logs: which keys and where payload schemas go; never secrets. */
    public String describe() {
        return engine.describe();
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
