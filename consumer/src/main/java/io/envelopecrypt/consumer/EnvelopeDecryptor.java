package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.crypto.AesGcm;
import io.envelopecrypt.connect.crypto.UnwrappedKeyCache;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.kms.KekConfig;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;
import io.envelopecrypt.connect.transforms.DecryptPayloadConfig;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.AbstractConfig;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Decrypts envelopes written by {@code EncryptPayload} in any Java application: a plain {@code KafkaConsumer},
 * a Kafka Streams app, a batch job. It needs no Connect worker, only the KEK (the same settings as
 * {@code DecryptPayload}) and, for raw topic bytes, the schema registry.
 *
 * <pre>{@code
 * try (EnvelopeDecryptor decryptor = EnvelopeDecryptor.fromConfig(Map.of(
 *         "kek.provider", "azure-keyvault",
 *         "azure.keyvault.url", "https://my-vault.vault.azure.net",
 *         "schema.registry.url", "http://registry:8081"))) {
 *     Decrypted d = decryptor.decrypt(consumerRecord.value());   // Confluent wire-format bytes
 *     Struct payment = (Struct) d.value();                        // d.schema() is the original Connect schema
 * }
 * }</pre>
 *
 * <p>Thread-safe. Unwrapped data keys are cached (bounded, with a time to live) so that Key Vault is called
 * once per distinct data key. Failures throw the same exceptions as {@code DecryptPayload}:
 * {@code MalformedEnvelopeException} and {@code EnvelopeAuthenticationException} (both {@code DataException})
 * for a bad record, {@code KmsAccessException} for a key that cannot be used, {@code KmsUnavailableException}
 * when Key Vault is unreachable; {@link SchemaRegistryClient.SchemaRegistryException} for registry trouble.
 * No message contains plaintext or key material.
 */
public final class EnvelopeDecryptor implements AutoCloseable {
    /** The registry to resolve wire-format schema ids with (optional). */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** {@code user:password} for the registry's basic authentication (optional). */
    public static final String SCHEMA_REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";

    private final KeyEncryptionKeyProvider kek;
    private final UnwrappedKeyCache dataKeys;
    private final EnvelopeOpener opener = new EnvelopeOpener(new AesGcm(), new PayloadCodecCache(256));
    private final SchemaRegistryClient registry;

    /**
     * Builds a decryptor from {@code DecryptPayload}'s settings ({@code kek.provider}, {@code azure.*},
     * {@code local.*}, {@code dek.cache.*}) plus the optional {@code schema.registry.url}.
     */
    public static EnvelopeDecryptor fromConfig(Map<String, ?> config) {
        AbstractConfig parsed = new AbstractConfig(DecryptPayloadConfig.CONFIG_DEF, config, config, false);
        Object url = config.get(SCHEMA_REGISTRY_URL);
        Object userInfo = config.get(SCHEMA_REGISTRY_USER_INFO);
        SchemaRegistryClient registry = url == null ? null
                : new SchemaRegistryClient(url.toString(), userInfo == null ? null : userInfo.toString());
        KeyEncryptionKeyProvider kek = KekConfig.createProvider(parsed, KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
        return new EnvelopeDecryptor(kek, registry, parsed.getInt(DecryptPayloadConfig.DEK_CACHE_MAX_ENTRIES),
                parsed.getLong(DecryptPayloadConfig.DEK_CACHE_TTL_MS));
    }

    /**
     * A decryptor over your own KEK provider; it closes the provider when closed.
     *
     * @param registry for {@link #decrypt(byte[])}; may be null when you decrypt Avro records yourself
     */
    public EnvelopeDecryptor(KeyEncryptionKeyProvider kek, SchemaRegistryClient registry, int maxCachedKeys, long keyTtlMillis) {
        this.kek = Objects.requireNonNull(kek, "kek");
        this.registry = registry;
        this.dataKeys = new UnwrappedKeyCache(kek, maxCachedKeys, keyTtlMillis, Clock.systemUTC());
    }

    /** Decrypts a record value in the Confluent wire format (what the topic holds), using the registry. */
    public Decrypted decrypt(byte[] confluentWireFormat) {
        if (registry == null) {
            throw new IllegalStateException("Decrypting wire-format bytes needs " + SCHEMA_REGISTRY_URL);
        }
        return decrypt(ConfluentWireFormat.read(confluentWireFormat, registry));
    }

    /** Decrypts an envelope already decoded by an Avro deserializer. */
    public Decrypted decrypt(GenericRecord envelope) {
        return decrypt(EnvelopeRecords.fromAvro(envelope));
    }

    public Decrypted decrypt(Envelope envelope) {
        PayloadCodec codec = opener.check(envelope);
        return new Decrypted(envelope, codec.connectSchema(), opener.open(envelope, codec, dataKeys));
    }

    /** Key Vault (or local key) unwrap calls so far: one per distinct data key while it stays cached. */
    public long unwraps() {
        return dataKeys.unwraps();
    }

    @Override
    public void close() {
        dataKeys.close();
        kek.close();
    }
}
