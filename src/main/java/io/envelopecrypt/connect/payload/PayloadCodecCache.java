package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Schema;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled codecs by Connect schema (encrypting side) and by payload schema JSON (decrypting side).
 * A stream almost always repeats one schema, so the last one used is checked first: by identity for
 * Connect schemas (converters and connectors reuse schema instances) and by string equality for JSON
 * (which avoids hashing a long string per record). Both maps are bounded LRU caches.
 */
public final class PayloadCodecCache {
    private final Map<Schema, PayloadCodec> bySchema;
    private final Map<ByteBuffer, PayloadCodec> byPayloadSchema;
    private volatile PayloadCodec lastForSchema;
    private volatile PayloadCodec lastForPayloadSchema;

    public PayloadCodecCache(int maxEntries) {
        this.bySchema = lru(maxEntries);
        this.byPayloadSchema = lru(maxEntries);
    }

    private static <K> Map<K, PayloadCodec> lru(int maxEntries) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, PayloadCodec> eldest) {
                return size() > maxEntries;
            }
        };
    }

    public PayloadCodec forSchema(Schema schema) {
        PayloadCodec last = lastForSchema;
        if (last != null && last.connectSchema() == schema) {
            return last;
        }
        PayloadCodec codec;
        synchronized (bySchema) {
            codec = bySchema.get(schema);
        }
        if (codec == null) {
            codec = PayloadCodec.forSchema(schema);
            synchronized (bySchema) {
                bySchema.put(schema, codec);
            }
        }
        lastForSchema = codec;
        return codec;
    }

    public PayloadCodec forPayloadSchema(byte[] payloadSchema) {
        PayloadCodec last = lastForPayloadSchema;
        if (last != null && Arrays.equals(last.payloadSchema(), payloadSchema)) {
            return last;
        }
        ByteBuffer key = ByteBuffer.wrap(payloadSchema.clone());
        PayloadCodec codec;
        synchronized (byPayloadSchema) {
            codec = byPayloadSchema.get(key);
        }
        if (codec == null) {
            codec = PayloadCodec.fromPayloadSchema(payloadSchema);
            synchronized (byPayloadSchema) {
                byPayloadSchema.put(key, codec);
            }
        }
        lastForPayloadSchema = codec;
        return codec;
    }
}
