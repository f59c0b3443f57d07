package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.TrustedStructs;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.connect.envelope.EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.CONTEXT;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.DATA_KEY_COMMITMENT;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.DATA_KEY_SIGNATURE;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.DATA_KEY_WRAP_ALGORITHM;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.ENCRYPTED_PAYLOAD;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.ENCRYPTION_ALGORITHM;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.ENVELOPE_VERSION;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.EVENT_TYPE;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.ID;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.IV;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.KEY_ID;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.METADATA;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.PAYLOAD_FORMAT;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.PAYLOAD_SCHEMA;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.SIGNING_KEY_ID;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.TIMESTAMP;
import static io.envelopecrypt.connect.envelope.EnvelopeSchema.WRAPPED_DATA_KEY;

/**
 * Converts envelopes to and from Connect values. Reading accepts what converters produce: a Struct (from
 * an Avro or JSON-with-schema converter, bytes as byte[] or ByteBuffer) or a Map (schemaless JSON, bytes as
 * base64 strings, numbers as any Number). Every field is checked for presence, type and size.
 */
public final class EnvelopeCodec {
    private static final int MAX_STRING_CHARS = EnvelopeLimits.MAX_STRING_CHARS;
    private static final int MAX_SCHEMA_BYTES = EnvelopeLimits.MAX_SCHEMA_BYTES;
    private static final int MAX_WRAPPED_KEY_BYTES = EnvelopeLimits.MAX_WRAPPED_KEY_BYTES;
    private static final int MAX_METADATA_ENTRIES = EnvelopeLimits.MAX_METADATA_ENTRIES;

    private EnvelopeCodec() {
    }

    public static Struct toStruct(Envelope e, Schema schema) {
        Struct s = new Struct(schema);
        // Every value comes from this plugin and matches the envelope schema, so skip Struct.put's checks.
        Object[] slots = TrustedStructs.slots(s);
        for (Field f : schema.fields()) {
            TrustedStructs.put(s, slots, f, switch (f.name()) {
                case ENVELOPE_VERSION -> e.envelopeVersion();
                case ID -> e.id();
                case TIMESTAMP -> e.timestamp();
                case EVENT_TYPE -> e.eventType();
                case ENCRYPTED_PAYLOAD -> e.encryptedPayload();
                case KEY_ID -> e.keyId();
                case ENCRYPTION_ALGORITHM -> e.encryptionAlgorithm();
                case IV -> e.iv();
                case METADATA -> e.metadata();
                case WRAPPED_DATA_KEY -> e.wrappedDataKey();
                case DATA_KEY_WRAP_ALGORITHM -> e.dataKeyWrapAlgorithm();
                case PAYLOAD_FORMAT -> e.payloadFormat();
                case PAYLOAD_SCHEMA -> e.payloadSchema();
                case CONTEXT -> e.context();
                case DATA_KEY_COMMITMENT -> e.dataKeyCommitment();
                case SIGNING_KEY_ID -> e.signingKeyId();
                case DATA_KEY_SIGNATURE -> e.dataKeySignature();
                case ADDITIONAL_WRAPPED_KEYS -> additionalWrappedKeys(e.additionalWrappedKeys(), f.schema().valueSchema());
                default -> throw new IllegalArgumentException("not an envelope schema: unknown field " + f.name());
            });
        }
        return s;
    }

    /** The Structs of the last data key's further copies: every record under one data key carries the same ones. */
    private static final ThreadLocal<Object[]> LAST_COPIES = new ThreadLocal<>();

    private static List<Struct> additionalWrappedKeys(List<WrappedKey> copies, Schema copySchema) {
        if (copies.isEmpty()) {
            return null;
        }
        Object[] last = LAST_COPIES.get();
        if (last != null && last[0] == copies && last[1] == copySchema) {
            @SuppressWarnings("unchecked")
            List<Struct> same = (List<Struct>) last[2];
            return same;
        }
        List<Struct> out = new ArrayList<>(copies.size());
        for (WrappedKey k : copies) {
            out.add(new Struct(copySchema).put(KEY_ID, k.keyId()).put(DATA_KEY_WRAP_ALGORITHM, k.algorithm())
                    .put(WRAPPED_DATA_KEY, k.wrapped()));
        }
        List<Struct> shared = List.copyOf(out);
        LAST_COPIES.set(new Object[] {copies, copySchema, shared});
        return shared;
    }

    /** True when a value looks like an envelope (it has the version and ciphertext fields). */
    public static boolean looksLikeEnvelope(Object value) {
        if (value instanceof Struct s) {
            return s.schema().field(ENVELOPE_VERSION) != null && s.schema().field(ENCRYPTED_PAYLOAD) != null;
        }
        if (value instanceof Map<?, ?> m) {
            return m.containsKey(ENVELOPE_VERSION) && m.containsKey(ENCRYPTED_PAYLOAD);
        }
        return false;
    }

    /** Reads an envelope from a Struct or Map; throws {@link MalformedEnvelopeException} when it is not valid. */
    public static Envelope read(Object value) {
        FieldReader r = fieldReader(value, "an envelope");
        return new Envelope(
                requiredInt(r, ENVELOPE_VERSION),
                string(r, ID, true, MAX_STRING_CHARS),
                requiredLong(r, TIMESTAMP),
                string(r, EVENT_TYPE, false, MAX_STRING_CHARS),
                bytes(r, ENCRYPTED_PAYLOAD, Integer.MAX_VALUE),
                string(r, KEY_ID, true, MAX_STRING_CHARS),
                string(r, ENCRYPTION_ALGORITHM, true, MAX_STRING_CHARS),
                bytes(r, IV, MAX_STRING_CHARS),
                metadata(r),
                bytes(r, WRAPPED_DATA_KEY, MAX_WRAPPED_KEY_BYTES),
                string(r, DATA_KEY_WRAP_ALGORITHM, true, MAX_STRING_CHARS),
                string(r, PAYLOAD_FORMAT, true, MAX_STRING_CHARS),
                optionalBytes(r, PAYLOAD_SCHEMA, MAX_SCHEMA_BYTES),
                string(r, CONTEXT, false, MAX_STRING_CHARS),
                // Optional here so that an envelope of another version is refused for its version (EnvelopeOpener.check).
                optionalBytes(r, DATA_KEY_COMMITMENT, MAX_WRAPPED_KEY_BYTES),
                string(r, SIGNING_KEY_ID, false, MAX_STRING_CHARS),
                optionalBytes(r, DATA_KEY_SIGNATURE, MAX_WRAPPED_KEY_BYTES),
                additionalWrappedKeys(r));
    }

    private static FieldReader fieldReader(Object value, String what) {
        if (value instanceof Struct s) {
            return name -> {
                Field f = s.schema().field(name);
                return f == null ? null : s.get(f);
            };
        }
        if (value instanceof Map<?, ?> m) {
            return m::get;
        }
        throw new MalformedEnvelopeException("Expected " + what + " (Struct or Map) but the value is a "
                + (value == null ? "null" : value.getClass().getName()));
    }

    /** The further wrapped copies: at most {@link EnvelopeLimits#MAX_WRAPPED_KEYS} in all, each checked as the first. */
    private static List<WrappedKey> additionalWrappedKeys(FieldReader r) {
        Object v = r.get(ADDITIONAL_WRAPPED_KEYS);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw wrongType(ADDITIONAL_WRAPPED_KEYS, "an array of wrapped data keys");
        }
        if (list.size() >= EnvelopeLimits.MAX_WRAPPED_KEYS) {
            throw new MalformedEnvelopeException("The envelope carries more than " + EnvelopeLimits.MAX_WRAPPED_KEYS
                    + " wrapped copies of its data key");
        }
        List<WrappedKey> out = new ArrayList<>(list.size());
        for (Object item : list) {
            FieldReader c = fieldReader(item, "a wrapped data key in '" + ADDITIONAL_WRAPPED_KEYS + "'");
            out.add(new WrappedKey(string(c, KEY_ID, true, MAX_STRING_CHARS),
                    string(c, DATA_KEY_WRAP_ALGORITHM, true, MAX_STRING_CHARS),
                    bytes(c, WRAPPED_DATA_KEY, MAX_WRAPPED_KEY_BYTES)));
        }
        return out;
    }

    @FunctionalInterface
    private interface FieldReader {
        Object get(String name);
    }

    private static Object required(FieldReader r, String name) {
        Object v = r.get(name);
        if (v == null) {
            throw new MalformedEnvelopeException("The envelope has no '" + name + "' field");
        }
        return v;
    }

    private static int requiredInt(FieldReader r, String name) {
        Object v = required(r, name);
        if (!(v instanceof Number n) || n instanceof Double || n instanceof Float
                || n.longValue() < Integer.MIN_VALUE || n.longValue() > Integer.MAX_VALUE) {
            throw wrongType(name, "an int32");
        }
        return n.intValue();
    }

    private static long requiredLong(FieldReader r, String name) {
        Object v = required(r, name);
        if (!(v instanceof Number n) || n instanceof Double || n instanceof Float) {
            throw wrongType(name, "an int64");
        }
        return n.longValue();
    }

    private static String string(FieldReader r, String name, boolean required, int maxChars) {
        Object v = required ? required(r, name) : r.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw wrongType(name, "a string");
        }
        if (s.length() > maxChars) {
            throw new MalformedEnvelopeException("The envelope's '" + name + "' field is longer than " + maxChars + " characters");
        }
        return s;
    }

    private static byte[] optionalBytes(FieldReader r, String name, int maxBytes) {
        return r.get(name) == null ? null : bytes(r, name, maxBytes);
    }

    private static byte[] bytes(FieldReader r, String name, int maxBytes) {
        Object v = required(r, name);
        byte[] b;
        if (v instanceof byte[] array) {
            b = array;
        } else if (v instanceof ByteBuffer buffer) {
            b = new byte[buffer.remaining()];
            buffer.duplicate().get(b);
        } else if (v instanceof String base64) {
            try {
                b = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new MalformedEnvelopeException("The envelope's '" + name + "' field is a string but not base64");
            }
        } else {
            throw wrongType(name, "bytes");
        }
        if (b.length > maxBytes) {
            throw new MalformedEnvelopeException("The envelope's '" + name + "' field is longer than " + maxBytes + " bytes");
        }
        return b;
    }

    private static Map<String, String> metadata(FieldReader r) {
        Object v = r.get(METADATA);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw wrongType(METADATA, "a map of strings");
        }
        if (m.size() > MAX_METADATA_ENTRIES) {
            throw new MalformedEnvelopeException("The envelope's metadata has more than " + MAX_METADATA_ENTRIES + " entries");
        }
        Map<String, String> out = new HashMap<>(m.size() * 2);
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof String val)) {
                throw wrongType(METADATA, "a map of non-null strings");
            }
            if (k.length() > MAX_STRING_CHARS || val.length() > MAX_STRING_CHARS) {
                throw new MalformedEnvelopeException("The envelope's metadata has a key or value longer than "
                        + MAX_STRING_CHARS + " characters");
            }
            out.put(k, val);
        }
        return out;
    }

    private static MalformedEnvelopeException wrongType(String name, String expected) {
        return new MalformedEnvelopeException("The envelope's '" + name + "' field is not " + expected);
    }
}
