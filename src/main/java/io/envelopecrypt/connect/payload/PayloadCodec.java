package io.envelopecrypt.connect.payload;

import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.connect.data.Schema;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The plaintext format: a record value encoded as Avro binary. For a value with a Connect schema the
 * Avro schema (with {@code connect.*} properties, see {@link ConnectAvroMapping}) travels in the
 * envelope's {@code payloadSchema} field, as raw DEFLATE (RFC 1951) of its JSON text: schemas are long
 * and repetitive, and this keeps every record self-describing at a fraction of the size. Schemaless
 * values use the fixed {@code DynamicValue} schema (see {@link SchemalessCodec}) and leave
 * {@code payloadSchema} empty.
 *
 * <p>Any Avro library can read the decrypted bytes with that schema; {@link #decode} gives back the
 * original Connect value and schema. Instances are immutable and thread-safe; build them once per schema.
 */
public final class PayloadCodec {
    /** Format marker for values with a Connect schema. */
    public static final String FORMAT_AVRO = "avro";
    /** Format marker for schemaless values. */
    public static final String FORMAT_AVRO_SCHEMALESS = "avro-schemaless";
    /**
     * Format marker for values whose Avro schema is in a schema registry: {@code payloadSchema} is a
     * {@link #REGISTRY_REFERENCE_BYTES}-byte reference (the schema id, then the SHA-256 of the schema as the
     * registry serves it).
     */
    public static final String FORMAT_AVRO_REGISTRY = "avro-registry";
    /** A registry reference: a 4-byte big-endian schema id and the 32-byte SHA-256 of the schema's UTF-8 text. */
    public static final int REGISTRY_REFERENCE_BYTES = 4 + 32;
    /** Inflated payload schemas larger than this are refused (a compressed schema cannot blow up memory). */
    public static final int MAX_SCHEMA_JSON_BYTES = 16 * 1024 * 1024;

    /** The codec for schemaless values. */
    public static final PayloadCodec SCHEMALESS = new PayloadCodec(FORMAT_AVRO_SCHEMALESS, PayloadCompression.NONE, null, null,
            null, null, new SchemalessCodec());
    private static final PayloadCodec[] SCHEMALESS_COMPRESSED = new PayloadCodec[PayloadCompression.values().length];

    static {
        for (PayloadCompression c : PayloadCompression.values()) {
            SCHEMALESS_COMPRESSED[c.ordinal()] = SCHEMALESS.withCompression(c);
        }
    }

    private final String format;
    private final PayloadCompression compression;
    private final Schema connectSchema;
    private final String schemaJson;
    private final String avroFullName;
    private final byte[] payloadSchema;
    private final ValueCodec root;
    private volatile byte[] derived;
    private final PayloadCodec[] variants = new PayloadCodec[PayloadCompression.values().length];

    private PayloadCodec(String format, PayloadCompression compression, Schema connectSchema, String schemaJson,
                         String avroFullName, byte[] payloadSchema, ValueCodec root) {
        this.format = format;
        this.compression = compression;
        this.connectSchema = connectSchema;
        this.schemaJson = schemaJson;
        this.avroFullName = avroFullName;
        this.payloadSchema = payloadSchema;
        this.root = root;
    }

    /** Compiles the codec for values of {@code schema}. */
    public static PayloadCodec forSchema(Schema schema) {
        org.apache.avro.Schema avro = ConnectToAvro.toAvro(schema);
        ValueCodec root = CodecCompiler.compile(avro, schema, "", 0);
        String json = avro.toString();
        // Readers refuse larger payload schemas: refuse to write one (checked once per schema).
        if (json.length() > MAX_SCHEMA_JSON_BYTES / 4 && json.getBytes(StandardCharsets.UTF_8).length > MAX_SCHEMA_JSON_BYTES) {
            throw new org.apache.kafka.connect.errors.DataException("The record's schema is larger than "
                    + MAX_SCHEMA_JSON_BYTES + " bytes as Avro JSON, which readers refuse");
        }
        return new PayloadCodec(FORMAT_AVRO, PayloadCompression.NONE, schema, json, avro.getFullName(), deflate(json), root);
    }

    /** Rebuilds a codec (and the Connect schema) from the compressed Avro schema carried in an envelope. */
    public static PayloadCodec fromPayloadSchema(byte[] payloadSchema) {
        return fromSchemaJson(FORMAT_AVRO, inflate(payloadSchema), payloadSchema.clone());
    }

    /**
     * Rebuilds a codec from a schema fetched from a registry, for envelopes that carry {@code reference} (checked
     * against the schema's digest by the caller).
     */
    public static PayloadCodec fromRegisteredSchema(String schemaJson, byte[] reference) {
        if (schemaJson.length() > MAX_SCHEMA_JSON_BYTES) {
            throw new MalformedPayloadException("The registered payload schema is longer than " + MAX_SCHEMA_JSON_BYTES
                    + " characters");
        }
        return fromSchemaJson(FORMAT_AVRO_REGISTRY, schemaJson, reference.clone());
    }

    /** Whether {@code schemaJson} parses to exactly the Avro schema of this codec (properties included). */
    public boolean sameAvroSchema(String otherJson) {
        try {
            return parse(otherJson).equals(parse(schemaJson));
        } catch (MalformedPayloadException e) {
            return false;
        }
    }

    private static PayloadCodec fromSchemaJson(String format, String json, byte[] payloadSchema) {
        org.apache.avro.Schema avro = parse(json);
        Schema connect = AvroToConnect.toConnect(avro);
        return new PayloadCodec(format, PayloadCompression.NONE, connect, json, avro.getFullName(), payloadSchema,
                CodecCompiler.compile(avro, connect, "", 0));
    }

    private static org.apache.avro.Schema parse(String json) {
        try {
            return new org.apache.avro.Schema.Parser().setValidateDefaults(false).parse(json);
        } catch (AvroRuntimeException | IllegalArgumentException | StackOverflowError e) {
            // Avro's own refusals (SchemaParseException and kin), Jackson's for malformed JSON, and nesting too deep
            // for the parser. Anything else (a NullPointerException, say) is a bug and is not dressed up as a refusal.
            throw new MalformedPayloadException("The envelope's payloadSchema is not a valid Avro schema");
        } catch (NullPointerException e) {
            // Avro 1.12 reports a reference to a named type that the schema never defines as a NullPointerException
            // (Objects.requireNonNull in its ParseContext.resolve, "Unknown schema: ..."); one from anywhere else
            // is a bug and stays one.
            if (!thrownByAvro(e)) {
                throw e;
            }
            throw new MalformedPayloadException("The envelope's payloadSchema refers to a named type it does not define");
        }
    }

    /**
     * The registry reference an envelope carries for the schema registered under {@code id}: the id, then the
     * SHA-256 of {@code servedSchema}, the schema's text exactly as the registry serves it.
     */
    public static byte[] registryReference(int id, String servedSchema) {
        return ByteBuffer.allocate(REGISTRY_REFERENCE_BYTES).putInt(id).put(sha256(servedSchema)).array();
    }

    /** The schema id a registry reference names. */
    public static int registryId(byte[] reference) {
        return ByteBuffer.wrap(reference, 0, 4).getInt();
    }

    /** Whether {@code servedSchema} is the schema text whose digest {@code reference} carries (constant time). */
    public static boolean referencesSchema(byte[] reference, String servedSchema) {
        return MessageDigest.isEqual(sha256(servedSchema), Arrays.copyOfRange(reference, 4, reference.length));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** This codec, for an envelope that carries a registry {@code reference} instead of the schema. */
    public PayloadCodec registered(byte[] reference) {
        if (schemaJson == null || reference.length != REGISTRY_REFERENCE_BYTES) {
            throw new IllegalArgumentException("only values with a schema have a registry reference of "
                    + REGISTRY_REFERENCE_BYTES + " bytes");
        }
        return new PayloadCodec(FORMAT_AVRO_REGISTRY + compression.formatSuffix(), compression, connectSchema, schemaJson,
                avroFullName, reference.clone(), root);
    }

    /**
     * This codec, compressing the encoded value before it is encrypted (the format says how). Each variant is made
     * once per codec and kept, with its payload binding, so that a writer asks for it on every record for free.
     */
    public PayloadCodec withCompression(PayloadCompression c) {
        if (c == compression) {
            return this;
        }
        if (connectSchema == null && SCHEMALESS_COMPRESSED[c.ordinal()] != null) {
            return SCHEMALESS_COMPRESSED[c.ordinal()];
        }
        PayloadCodec[] made = variants;
        PayloadCodec variant = made[c.ordinal()];
        if (variant == null) {
            // Racing threads may each make one; they are equal, and one of them stays.
            variant = new PayloadCodec(baseFormat() + c.formatSuffix(), c, connectSchema, schemaJson, avroFullName,
                    payloadSchema, root);
            made[c.ordinal()] = variant;
        }
        return variant;
    }

    /** The format without its compression suffix: {@code avro}, {@code avro-schemaless} or {@code avro-registry}. */
    public String baseFormat() {
        int plus = format.indexOf('+');
        return plus < 0 ? format : format.substring(0, plus);
    }

    public PayloadCompression compression() {
        return compression;
    }

    /** Whether the first frame outside the JDK that threw {@code e} is Avro's. */
    private static boolean thrownByAvro(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (!frame.getClassName().startsWith("java.")) {
                return frame.getClassName().startsWith("org.apache.avro.");
            }
        }
        return false;
    }

    /** Raw DEFLATE (RFC 1951) of the UTF-8 text, as the envelope carries a payload schema. */
    public static byte[] deflate(String json) {
        byte[] in = json.getBytes(StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(in);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 3 + 64);
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Raw DEFLATE to UTF-8 text, refusing anything that expands past {@link #MAX_SCHEMA_JSON_BYTES}. */
    public static String inflate(byte[] compressed) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 4 + 64);
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new MalformedPayloadException("The envelope's payloadSchema is truncated");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_SCHEMA_JSON_BYTES) {
                    throw new MalformedPayloadException("The envelope's payloadSchema expands beyond "
                            + MAX_SCHEMA_JSON_BYTES + " bytes");
                }
            }
            if (inflater.getRemaining() > 0) {
                throw new MalformedPayloadException("The envelope's payloadSchema has trailing bytes");
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new MalformedPayloadException("The envelope's payloadSchema is not valid DEFLATE data");
        } finally {
            inflater.end();
        }
    }

    /** The Avro schema of the schemaless format, for documentation and outside readers. */
    public static org.apache.avro.Schema schemalessAvroSchema() {
        return SchemalessCodec.DYNAMIC_VALUE;
    }

    /**
     * A value derived from this codec's format and payload schema once (the envelope's payload binding), so
     * that it is not recomputed per record. {@code derive} must always be the same function.
     */
    public byte[] derived(BiFunction<String, byte[], byte[]> derive) {
        byte[] d = derived;
        if (d == null) {
            d = derive.apply(format, payloadSchema);
            derived = d;
        }
        return d;
    }

    public String format() {
        return format;
    }

    /** The Connect value schema, or null for schemaless values. */
    public Schema connectSchema() {
        return connectSchema;
    }

    /** The full name of the plaintext's Avro schema (a record's namespace and name, or a primitive's type), or null. */
    public String avroFullName() {
        return avroFullName;
    }

    /** The Avro schema JSON of the plaintext, or null for schemaless values. */
    public String schemaJson() {
        return schemaJson;
    }

    /**
     * What the envelope's payloadSchema field holds: raw DEFLATE of {@link #schemaJson()}, a registry reference
     * ({@link #FORMAT_AVRO_REGISTRY}), or null.
     */
    public byte[] payloadSchema() {
        return payloadSchema;
    }

    /** Appends the encoding of {@code value}; throws a DataException naming the field when it does not fit. */
    public void encode(Object value, BinaryWriter out) {
        root.write(value, out);
    }

    /** Encodes into a new array (for callers outside the hot path). */
    public byte[] encode(Object value) {
        BinaryWriter w = new BinaryWriter();
        encode(value, w);
        return w.toByteArray();
    }

    /** Decodes a whole payload (decompressing it first if the format says so); trailing bytes are an error. */
    public Object decode(byte[] plaintext) {
        byte[] encoded = compression.decompress(plaintext);
        try {
            BinaryReader in = new BinaryReader(encoded);
            Object value = root.read(in);
            if (!in.atEnd()) {
                throw new MalformedPayloadException("The payload has " + in.remaining() + " unexpected trailing bytes");
            }
            return value;
        } finally {
            if (encoded != plaintext) {
                Arrays.fill(encoded, (byte) 0);
            }
        }
    }
}
