package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCompression;
import io.envelopecrypt.connect.registry.SchemaRegistryClient;
import io.envelopecrypt.connect.registry.SchemaRegistryException;

import org.apache.kafka.common.cache.Cache;
import org.apache.kafka.common.cache.LRUCache;
import org.apache.kafka.common.cache.SynchronizedCache;
import org.apache.kafka.connect.errors.DataException;

import java.util.Locale;

/**
 * How the encrypting engine describes a payload: compressed or not ({@code payload.compression}), its Avro schema
 * inline or in a schema registry ({@code payload.schema.location}). With a registry, each Connect schema is
 * registered once per subject (or looked up, without auto-registration), the registry's own copy of it is fetched
 * back and compared with what was registered, and the envelope carries the id and the SHA-256 of that copy: what
 * readers will fetch and check. Registrations are cached, so the registry is called once per schema and subject.
 */
public final class PayloadSchemas implements AutoCloseable {
    /** Envelopes carry their schema and are not compressed: the format of every release so far. */
    public static final PayloadSchemas INLINE = new PayloadSchemas(PayloadCompression.NONE, null, null, true);

    private final PayloadCompression compression;
    private final SchemaRegistryClient registry;
    private final SubjectNameStrategy subjects;
    private final boolean autoRegister;
    private final Cache<Registration, PayloadCodec> registered = new SynchronizedCache<>(new LRUCache<>(1000));
    private volatile Registered last;

    /** How payload subjects are named, after Confluent's subject name strategies. */
    public enum SubjectNameStrategy {
        /** {@code <topic>-payload}: one payload schema lineage per topic (TopicNameStrategy). */
        TOPIC,
        /** {@code <record name>}: the Avro record's full name, shared by every topic (RecordNameStrategy). */
        RECORD,
        /** {@code <topic>-<record name>} (TopicRecordNameStrategy). */
        TOPIC_RECORD;

        public static SubjectNameStrategy forName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        String subject(String topic, PayloadCodec codec) {
            if (this != RECORD && topic == null) {
                throw new DataException("Payload schemas in a registry named by topic need the record's topic");
            }
            return switch (this) {
                case TOPIC -> topic + "-payload";
                case RECORD -> codec.avroFullName();
                case TOPIC_RECORD -> topic + "-" + codec.avroFullName();
            };
        }
    }

    private record Registration(String subject, PayloadCodec inline) {
    }

    private record Registered(String topic, PayloadCodec inline, PayloadCodec codec) {
    }

    /**
     * @param registry the registry for payload schemas, or null to carry them inline (it is closed with this
     *                 object's owner, not here)
     */
    public PayloadSchemas(PayloadCompression compression, SchemaRegistryClient registry, SubjectNameStrategy subjects,
                          boolean autoRegister) {
        this.compression = compression;
        this.registry = registry;
        this.subjects = subjects;
        this.autoRegister = autoRegister;
    }

    /** The codec an envelope bound for {@code topic} is written with, for a value that {@code inline} encodes. */
    PayloadCodec codecFor(String topic, PayloadCodec inline) {
        if (registry == null || inline.connectSchema() == null) {
            return inline.withCompression(compression);
        }
        Registered l = last;
        if (l != null && l.inline() == inline && (subjects == SubjectNameStrategy.RECORD || java.util.Objects.equals(l.topic(), topic))) {
            return l.codec();
        }
        Registration key = new Registration(subjects.subject(topic, inline), inline);
        PayloadCodec codec = registered.get(key);
        if (codec == null) {
            codec = register(key).withCompression(compression);
            registered.put(key, codec);
        }
        last = new Registered(topic, inline, codec);
        return codec;
    }

    private PayloadCodec register(Registration r) {
        String json = r.inline().schemaJson();
        int id;
        try {
            id = autoRegister ? registry.register(r.subject(), json) : registry.lookup(r.subject(), json);
        } catch (SchemaRegistryException e) {
            if (autoRegister || e.status() != 404) {
                throw e;
            }
            throw new SchemaRegistryException(e.getMessage() + ". The record's schema is not registered under that subject, "
                    + "and payload.schema.auto.register=false: register it there first", 404);
        }
        String served = registry.schemaText(id);
        if (!r.inline().sameAvroSchema(served)) {
            throw new SchemaRegistryException("The schema registry at " + registry.shownUrl() + " serves schema id " + id
                    + " (subject " + r.subject() + ") differently from the payload schema registered there (it dropped or "
                    + "changed properties that readers need); use payload.schema.location=inline with this registry", -1);
        }
        return r.inline().registered(PayloadCodec.registryReference(id, served));
    }

    /** For logs: where payload schemas go and how payloads are compressed. */
    public String describe() {
        return (registry == null ? "payload schemas inline" : "payload schemas in the registry at " + registry.shownUrl()
                + " (subjects by " + subjects.name().toLowerCase(Locale.ROOT).replace('_', '-') + ")")
                + ", compression " + compression.configName();
    }

    public boolean usesRegistry() {
        return registry != null;
    }

    @Override
    public void close() {
        last = null;
    }
}
