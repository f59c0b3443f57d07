package io.envelopecrypt.serde;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/**
 * {@link EnvelopeSerializer} and {@link EnvelopeDeserializer} as one {@link Serde} for Kafka Streams
 * ({@code Consumed.with(Serdes.String(), serde)}, {@code default.value.serde}). Both halves take the same
 * properties; each reads the settings it knows (the serializer {@code EncryptPayload}'s, the deserializer
 * {@code DecryptPayload}'s), so one map can hold both sides' KEK settings only when they are the same keys, e.g. a
 * local development key or a keyring both sides may use.
 */
public class EnvelopeSerde implements Serde<Object> {
    private final EnvelopeSerializer serializer = new EnvelopeSerializer();
    private final EnvelopeDeserializer deserializer = new EnvelopeDeserializer();
    private boolean serializerConfigured;
    private Map<String, ?> configs;
    private boolean isKey;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.configs = configs;
        this.isKey = isKey;
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<Object> serializer() {
        // Configured on first use: an app that only reads needs no encrypting settings (nor a key to wrap with).
        synchronized (this) {
            if (!serializerConfigured && configs != null) {
                serializer.configure(configs, isKey);
                serializerConfigured = true;
            }
        }
        return serializer;
    }

    @Override
    public Deserializer<Object> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        try {
            deserializer.close();
        } finally {
            serializer.close();
        }
    }
}
