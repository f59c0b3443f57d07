package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.engine.DecryptorConfig;
import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.registry.SchemaRegistrySettings;
import io.envelopecrypt.connect.engine.PlaintextValue;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.kms.KekCallListener;

import org.apache.avro.generic.GenericRecord;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Decrypts what an encrypted topic holds, in any Java application: a plain {@code KafkaConsumer}, a Kafka
 * Streams app, a batch job. It needs no Connect worker, only the KEK (the same settings as
 * {@code DecryptPayload}) and, for what an AvroConverter wrote, the schema registry. The decrypting itself is the
 * plugin's {@link EnvelopeDecryptor} engine, the same one {@code DecryptPayload} runs.
 *
 * <pre>{@code
 * try (TopicDecryptor decryptor = TopicDecryptor.fromConfig(Map.of(
 *         "kek.provider", "azure-keyvault",
 *         "azure.keyvault.url", "https://my-vault.vault.azure.net",
 *         "schema.registry.url", "http://registry:8081"))) {
 *     Decrypted d = decryptor.decrypt(consumerRecord.value());   // Confluent wire-format bytes
 *     Struct payment = (Struct) d.value();                        // d.schema() is the original Connect schema
 * }
 * }</pre>
 *
 * <p>Thread-safe. Unwrapped data keys are cached (bounded, with a time to live) so that Key Vault is called
 * once per distinct data key. Failures throw the engine's exceptions: {@code MalformedEnvelopeException},
 * {@code EnvelopeAuthenticationException} and {@code DataKeyRejectedException} (all {@code DataException})
 * for a bad record, {@code KmsAccessException} for a key that cannot be used, {@code KmsUnavailableException}
 * when Key Vault is unreachable; {@code SchemaRegistryUnavailableException} (retriable) or {@code SchemaRegistryException} for registry trouble.
 * No message contains plaintext or key material.
 */
public final class TopicDecryptor implements AutoCloseable {
    /** The registry to resolve wire-format schema ids with (optional). */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /**
     * {@code user:password} for the registry's basic authentication (optional); kept for earlier configurations,
     * {@code basic.auth.credentials.source=USER_INFO} with {@code basic.auth.user.info} is the converters' spelling.
     */
    public static final String SCHEMA_REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";

    private final EnvelopeDecryptor engine;
    private final SchemaRegistryClient registry;

    /**
     * Builds a decryptor from {@code DecryptPayload}'s settings ({@code kek.provider}, {@code azure.*},
     * {@code local.*}, {@code dek.cache.*}, config providers) plus the optional {@code schema.registry.url}.
     */
    public static TopicDecryptor fromConfig(Map<String, ?> config) {
        Map<String, Object> settings = new java.util.HashMap<>(config);
        Object legacyUserInfo = settings.remove(SCHEMA_REGISTRY_USER_INFO);
        if (legacyUserInfo != null && !settings.containsKey(SchemaRegistrySettings.BASIC_AUTH_USER_INFO)) {
            settings.put(SchemaRegistrySettings.BASIC_AUTH_SOURCE, "USER_INFO");
            settings.put(SchemaRegistrySettings.BASIC_AUTH_USER_INFO, legacyUserInfo);
        }
        // One registry client for both: the envelopes' schemas (wire format) and payload schemas kept in the registry.
        DecryptorConfig parsed = DecryptorConfig.resolvingConfigProviders(settings);
        io.envelopecrypt.connect.registry.SchemaRegistryClient http = parsed.schemaRegistry();
        return new TopicDecryptor(EnvelopeDecryptor.create(parsed, KekCallListener.NONE, Clock.systemUTC()),
                http == null ? null : new SchemaRegistryClient(http));
    }

    /**
     * A decryptor over an engine of your own (e.g. around your own KEK provider); it closes the engine when closed.
     *
     * @param registry for {@link #decrypt(byte[])}; may be null when you decrypt Avro records yourself
     */
    public TopicDecryptor(EnvelopeDecryptor engine, SchemaRegistryClient registry) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.registry = registry;
    }

    /**
     * Decrypts a record value read from {@code topic}, as the topic holds it: the Confluent wire format written by an
     * AvroConverter (resolved through the registry) or the JSON written by JsonConverter ({@link EnvelopeBytes}). The
     * topic matters with {@code envelope.context=topic}; it may be null otherwise.
     */
    public Decrypted decrypt(String topic, byte[] value) {
        if (registry == null && EnvelopeBytes.isWireFormat(value)) {
            throw new IllegalStateException("Decrypting wire-format bytes needs " + SCHEMA_REGISTRY_URL);
        }
        return decrypt(topic, EnvelopeBytes.read(value, registry));
    }

    /** As {@link #decrypt(String, byte[])}, for a decryptor that does not bind envelopes to their topic. */
    public Decrypted decrypt(byte[] value) {
        return decrypt(null, value);
    }

    /** Decrypts an envelope already decoded by an Avro deserializer. */
    public Decrypted decrypt(String topic, GenericRecord envelope) {
        return decrypt(topic, EnvelopeRecords.fromAvro(envelope));
    }

    public Decrypted decrypt(GenericRecord envelope) {
        return decrypt(null, envelope);
    }

    public Decrypted decrypt(String topic, Envelope envelope) {
        PlaintextValue plaintext = engine.decrypt(topic, envelope);
        return new Decrypted(envelope, plaintext.schema(), plaintext.value());
    }

    public Decrypted decrypt(Envelope envelope) {
        return decrypt(null, envelope);
    }

    /** Key Vault (or local key) unwrap calls so far: one per distinct data key while it stays cached. */
    public long unwraps() {
        return engine.unwraps();
    }

    @Override
    public void close() {
        engine.close();
    }
}
