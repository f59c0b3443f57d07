package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.SanitizedCause;
import io.envelopecrypt.connect.crypto.DataKeyManager;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSealer;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCodecCache;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a value (with its Connect schema, or schemaless) into an {@link Envelope}: the one encrypting engine
 * behind every door (the Connect transform, serializers, tools). It encodes the value as Avro binary,
 * encrypts it with AES-256-GCM under the current data key, and carries the data key wrapped by every KEK of the
 * keyring. Data keys rotate by record count and age, so each KEK is called once per data key, not per record.
 *
 * <p>Per-record key selection: {@link #encrypt(String, String, Schema, Object, EnvelopeHeader)} takes a key name
 * chosen by the record (e.g. a tenant's), checked against {@code kek.key.allowed.pattern}; each key has its own
 * data key, and at most {@code kek.key.cache.max} keys hold one at a time.
 *
 * <p>Thread-safe. Failures are {@link org.apache.kafka.connect.errors.ConnectException}s whose messages never
 * contain plaintext or key material: a {@code DataException} for a value that cannot be encrypted,
 * {@code KmsUnavailableException} (retriable) or {@code KmsAccessException} for the KEK.
 */
public final class EnvelopeEncryptor implements AutoCloseable {

    private final Keyring ring;
    private final DataKeyManager dataKeys;
    private final EnvelopeContext context;
    private final Pattern allowedKeyNames;
    private final String fallbackKey;
    private final long dekMaxRecords;
    private final long dekMaxAgeMs;
    private final Clock clock;
    private final SecureRandom random;
    private final KekCallListener listener;
    private final Map<String, SelectedKey> byKey;
    private final KeyNameLabels labels = new KeyNameLabels();
    private final PayloadCodecCache codecs = new PayloadCodecCache(256);
    private final PayloadSchemas payloads;
    private final EnvelopeSealer sealer = new EnvelopeSealer();
    private long evictedKeyManagers;
    /** Data keys made, and made without every copy, by managers since evicted. */
    private long retiredKeysCreated;
    private long retiredIncompleteKeys;

    /** A key a record selected: its data keys, and its metric label (bounded), looked up once together. */
    private record SelectedKey(DataKeyManager dataKeys, String label) {
    }

    /** An encryptor from settings; {@code listener} hears every KEK call (metrics). */
    public static EnvelopeEncryptor create(EncryptorConfig config, KekCallListener listener, Clock clock) {
        PayloadSchemas payloads = config.payloadSchemas();
        Keyring ring = config.keyring(listener);
        try {
            return new EnvelopeEncryptor(ring, config.dekMaxRecords(), config.dekMaxAgeMs(), config.context(),
                    config.keyAllowedPattern(), config.keyFallback(), config.keyCacheMax(), payloads, listener, clock,
                    new SecureRandom());
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
    }

    /** An encryptor over a provider of your own, binding to no context; it closes the provider when closed. */
    public EnvelopeEncryptor(KeyEncryptionKeyProvider kek, long dekMaxRecords, long dekMaxAgeMs, Clock clock,
                             SecureRandom random) {
        this(kek, dekMaxRecords, dekMaxAgeMs, EnvelopeContext.none(), clock, random);
    }

    /** An encryptor over a provider of your own; it closes the provider when closed. */
    public EnvelopeEncryptor(KeyEncryptionKeyProvider kek, long dekMaxRecords, long dekMaxAgeMs, EnvelopeContext context,
                             Clock clock, SecureRandom random) {
        this(Keyring.of(Objects.requireNonNull(kek, "kek")), dekMaxRecords, dekMaxAgeMs, context, null, null, 1,
                PayloadSchemas.INLINE, KekCallListener.NONE, clock, random);
    }

    /**
     * An encryptor over a keyring of your own; it closes the ring when closed.
     *
     * @param allowedKeyNames names a record may select (null: per-record selection is off)
     * @param fallbackKey     the key for records whose selection is missing or not allowed (null: they fail)
     * @param maxKeys         keys holding a live data key at once
     * @param payloads        how payloads are described: schema inline or in a registry, compression
     */
    public EnvelopeEncryptor(Keyring ring, long dekMaxRecords, long dekMaxAgeMs, EnvelopeContext context,
                             Pattern allowedKeyNames, String fallbackKey, int maxKeys, PayloadSchemas payloads,
                             KekCallListener listener, Clock clock, SecureRandom random) {
        this.ring = Objects.requireNonNull(ring, "ring");
        this.payloads = Objects.requireNonNull(payloads, "payloads");
        this.context = Objects.requireNonNull(context, "context");
        this.allowedKeyNames = allowedKeyNames;
        this.fallbackKey = fallbackKey;
        this.dekMaxRecords = dekMaxRecords;
        this.dekMaxAgeMs = dekMaxAgeMs;
        this.clock = clock;
        this.random = random;
        this.listener = listener;
        if (fallbackKey != null && allowedKeyNames == null) {
            throw new ConfigException(EncryptorConfig.KEY_FALLBACK, fallbackKey, "applies only with per-record key selection ("
                    + EncryptorConfig.KEY_ALLOWED_PATTERN + ")");
        }
        if (allowedKeyNames != null) {
            try {
                ring.forKey(fallbackKey != null ? fallbackKey : "probe").close();
            } catch (UnsupportedOperationException e) {
                throw new ConfigException(EncryptorConfig.KEY_ALLOWED_PATTERN, allowedKeyNames.pattern(),
                        "per-record key selection needs a provider with named keys (" + e.getMessage() + ")");
            }
        }
        this.dataKeys = new DataKeyManager(ring, dekMaxRecords, dekMaxAgeMs, clock, random);
        this.byKey = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SelectedKey> eldest) {
                if (size() > maxKeys) {
                    DataKeyManager retired = eldest.getValue().dataKeys();
                    evictedKeyManagers++;
                    retiredKeysCreated += retired.keysCreated();
                    retiredIncompleteKeys += retired.incompleteKeys();
                    retired.close();
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Encrypts a value bound for {@code topic}, binding it to the configured context ({@code topic} may be null
     * unless the context is the topic).
     */
    public Envelope encrypt(String topic, Schema schema, Object value, EnvelopeHeader header) {
        return seal(topic, schema, value, bound(topic, header), null);
    }

    /**
     * As {@link #encrypt(String, Schema, Object, EnvelopeHeader)}, under the key {@code keyName} selected by the record
     * (null when the record has none). A name that is null or does not match {@code kek.key.allowed.pattern} takes
     * the fallback key, or fails the record with a {@link DataException} that does not quote it.
     */
    public Envelope encrypt(String topic, String keyName, Schema schema, Object value, EnvelopeHeader header) {
        if (allowedKeyNames == null) {
            throw new IllegalStateException("per-record key selection is not configured (" + EncryptorConfig.KEY_ALLOWED_PATTERN + ")");
        }
        String chosen = keyName;
        if (chosen == null || !allowedKeyNames.matcher(chosen).matches()) {
            if (fallbackKey == null) {
                throw new DataException(chosen == null
                        ? "The record has no value for its key-encryption key name (kek.key.template) and no "
                                + EncryptorConfig.KEY_FALLBACK + " is set"
                        : "The record's key-encryption key name (from kek.key.template) does not match "
                                + EncryptorConfig.KEY_ALLOWED_PATTERN + " and no " + EncryptorConfig.KEY_FALLBACK + " is set");
            }
            chosen = fallbackKey;
        }
        return seal(topic, schema, value, bound(topic, header), chosen);
    }

    private EnvelopeHeader bound(String topic, EnvelopeHeader header) {
        String bound = context.of(topic);
        return bound == null ? header
                : new EnvelopeHeader(header.id(), header.timestamp(), header.eventType(), header.metadata(), bound);
    }

    /**
     * Encrypts {@code value} with {@code header} as given (its context included); {@code schema} is its Connect
     * schema, or null for a schemaless value (a Struct then brings its own). With payload schemas in a registry
     * named by topic, use {@link #encrypt(String, Schema, Object, EnvelopeHeader)}.
     */
    public Envelope encrypt(Schema schema, Object value, EnvelopeHeader header) {
        return seal(null, schema, value, header, null);
    }

    private Envelope seal(String topic, Schema schema, Object value, EnvelopeHeader header, String keyName) {
        PayloadCodec codec;
        if (schema != null) {
            codec = codecs.forSchema(schema);
        } else if (value instanceof Struct struct) {
            codec = codecs.forSchema(struct.schema());
        } else {
            codec = PayloadCodec.SCHEMALESS;
        }
        // Registry calls (once per schema and subject) happen before a data key is taken, so a registry that is
        // down fails the record before anything is counted against a data key.
        codec = payloads.codecFor(topic, codec);
        DataKeyManager.DataKey key = keyName == null ? dataKeys.acquire() : acquireFor(keyName);
        try {
            return sealer.seal(codec, value, header, key.key(), key.wrapped(), key.additionalCopies(), key.signature());
        } catch (RuntimeException e) {
            throw SanitizedCause.sanitize("Encrypting the record value", e);
        } finally {
            key.release();
        }
    }

    /**
     * The data key of {@code keyName}, from its own manager (made on first use, evicted least recently used); the
     * record is counted under the key's label.
     */
    private DataKeyManager.DataKey acquireFor(String keyName) {
        while (true) {
            SelectedKey selected;
            synchronized (byKey) {
                selected = byKey.get(keyName);
                if (selected == null) {
                    selected = new SelectedKey(new DataKeyManager(ring.forKey(keyName), dekMaxRecords, dekMaxAgeMs, clock,
                            random), labels.label(keyName));
                    byKey.put(keyName, selected);
                }
            }
            DataKeyManager manager = selected.dataKeys();
            try {
                DataKeyManager.DataKey key = manager.acquire();
                listener.onRecordForKey(selected.label());
                return key;
            } catch (IllegalStateException e) {
                if (!manager.isClosed()) {
                    throw e;
                }
                // Evicted by another thread between the lookup and the acquire: look it up again.
            }
        }
    }

    /** Data keys created so far (one wrap per keyring member each). */
    public long dataKeysCreated() {
        long n = dataKeys.keysCreated();
        synchronized (byKey) {
            for (SelectedKey k : byKey.values()) {
                n += k.dataKeys().keysCreated();
            }
            return n + retiredKeysCreated;
        }
    }

    /** Data keys made without a copy under every keyring member (kek.ring.wrap.policy=available). */
    public long incompleteDataKeys() {
        long n = dataKeys.incompleteKeys();
        synchronized (byKey) {
            for (SelectedKey k : byKey.values()) {
                n += k.dataKeys().incompleteKeys();
            }
            return n + retiredIncompleteKeys;
        }
    }

    /** Keys holding a live data key (per-record key selection), and how many were evicted to stay within the bound. */
    public int liveSelectedKeys() {
        synchronized (byKey) {
            return byKey.size();
        }
    }

    public long evictedSelectedKeys() {
        synchronized (byKey) {
            return evictedKeyManagers;
        }
    }

    /** Calls made to remote key services so far (selected keys share the configured clients). */
    public long kekRemoteCalls() {
        return ring.remoteCalls();
    }

    /** Which keys this encryptor uses, for logs; never secrets. */
    public String describe() {
        return ring.describe() + ", " + payloads.describe() + (allowedKeyNames == null ? "" : ", key names per record matching " + allowedKeyNames.pattern());
    }

    /** Wipes every data key and closes the keyring. */
    @Override
    public void close() {
        List<DataKeyManager> managers = new ArrayList<>();
        synchronized (byKey) {
            byKey.values().forEach(k -> managers.add(k.dataKeys()));
            byKey.clear();
        }
        try {
            managers.forEach(DataKeyManager::close);
        } finally {
            dataKeys.close();
            payloads.close();
        }
    }
}
