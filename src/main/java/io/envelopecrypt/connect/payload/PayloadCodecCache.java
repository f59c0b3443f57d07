package io.envelopecrypt.connect.payload;

import org.apache.kafka.common.cache.Cache;
import org.apache.kafka.common.cache.LRUCache;
import org.apache.kafka.common.cache.SynchronizedCache;
import org.apache.kafka.connect.data.Schema;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Compiled codecs by Connect schema (encrypting side) and by payload schema as carried (decrypting side): an
 * inline schema, or a registry reference whose schema was fetched and checked once.
 * A stream almost always repeats one schema, so the last one used is checked first: by identity for
 * Connect schemas (converters and connectors reuse schema instances) and by byte equality for payload
 * schemas (which avoids hashing a long array per record).
 *
 * <p>Connect schemas come from the connector and are few: Kafka's LRU cache bounds them by count. Payload
 * schemas come from whoever writes to the topic, so that cache is bounded by count and by the size of the
 * schemas it holds ({@link #MAX_SCHEMA_JSON_CHARS} in total), which Kafka's cache cannot weigh.
 */
public final class PayloadCodecCache {
    /** The payload schemas' JSON characters held at most, across all cached codecs. */
    public static final long MAX_SCHEMA_JSON_CHARS = 8L * 1024 * 1024;

    private final Cache<Schema, PayloadCodec> bySchema;
    /** By payload schema as carried: an inline schema, or a registry reference (kept apart by the key's kind). */
    private final Map<CarriedSchema, PayloadCodec> byPayloadSchema = new LinkedHashMap<>(16, 0.75f, true);
    private final int maxEntries;
    private long payloadSchemaChars;
    private volatile PayloadCodec lastForSchema;
    private volatile PayloadCodec lastForPayloadSchema;

    public PayloadCodecCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.bySchema = new SynchronizedCache<>(new LRUCache<>(maxEntries));
    }

    public PayloadCodec forSchema(Schema schema) {
        PayloadCodec last = lastForSchema;
        if (last != null && last.connectSchema() == schema) {
            return last;
        }
        PayloadCodec codec = bySchema.get(schema);
        if (codec == null) {
            codec = PayloadCodec.forSchema(schema);
            bySchema.put(schema, codec);
        }
        lastForSchema = codec;
        return codec;
    }

    private record CarriedSchema(boolean registry, ByteBuffer bytes) {
    }

    /** The codec for an inline payload schema (format {@code avro}), built on first use. */
    public PayloadCodec forPayloadSchema(byte[] payloadSchema) {
        return forCarried(false, payloadSchema, PayloadCodec::fromPayloadSchema);
    }

    /**
     * The codec for a registry reference (format {@code avro-registry}); {@code resolve} fetches and checks the
     * schema on first use.
     */
    public PayloadCodec forRegistryReference(byte[] reference, Function<byte[], PayloadCodec> resolve) {
        return forCarried(true, reference, resolve);
    }

    private PayloadCodec forCarried(boolean registry, byte[] payloadSchema, Function<byte[], PayloadCodec> build) {
        PayloadCodec last = lastForPayloadSchema;
        if (last != null && Arrays.equals(last.payloadSchema(), payloadSchema)
                && registry == PayloadCodec.FORMAT_AVRO_REGISTRY.equals(last.baseFormat())) {
            return last;
        }
        CarriedSchema key = new CarriedSchema(registry, ByteBuffer.wrap(payloadSchema.clone()));
        PayloadCodec codec;
        synchronized (byPayloadSchema) {
            codec = byPayloadSchema.get(key);
        }
        if (codec == null) {
            codec = build.apply(payloadSchema);
            synchronized (byPayloadSchema) {
                if (byPayloadSchema.put(key, codec) == null) {
                    payloadSchemaChars += codec.schemaJson().length();
                }
                evictBeyondBounds();
            }
        }
        lastForPayloadSchema = codec;
        return codec;
    }

    private void evictBeyondBounds() {
        Iterator<PayloadCodec> eldest = byPayloadSchema.values().iterator();
        while ((byPayloadSchema.size() > maxEntries || payloadSchemaChars > MAX_SCHEMA_JSON_CHARS) && eldest.hasNext()) {
            payloadSchemaChars -= eldest.next().schemaJson().length();
            eldest.remove();
        }
    }

    /** JSON characters of the payload schemas cached now (at most {@link #MAX_SCHEMA_JSON_CHARS}). */
    public long payloadSchemaChars() {
        synchronized (byPayloadSchema) {
            return payloadSchemaChars;
        }
    }
}
