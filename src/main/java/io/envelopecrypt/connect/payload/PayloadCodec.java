package io.envelopecrypt.connect.payload;

import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.connect.data.Schema;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
    /** Inflated payload schemas larger than this are refused (a compressed schema cannot blow up memory). */
    public static final int MAX_SCHEMA_JSON_BYTES = 16 * 1024 * 1024;

    /** The codec for schemaless values. */
    public static final PayloadCodec SCHEMALESS = new PayloadCodec(FORMAT_AVRO_SCHEMALESS, null, null, null, new SchemalessCodec());

    private final String format;
    private final Schema connectSchema;
    private final String schemaJson;
    private final byte[] payloadSchema;
    private final ValueCodec root;
    private volatile byte[] derived;

    private PayloadCodec(String format, Schema connectSchema, String schemaJson, byte[] payloadSchema, ValueCodec root) {
        this.format = format;
        this.connectSchema = connectSchema;
        this.schemaJson = schemaJson;
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
        return new PayloadCodec(FORMAT_AVRO, schema, json, deflate(json), root);
    }

    /** Rebuilds a codec (and the Connect schema) from the compressed Avro schema carried in an envelope. */
    public static PayloadCodec fromPayloadSchema(byte[] payloadSchema) {
        String json = inflate(payloadSchema);
        org.apache.avro.Schema avro;
        try {
            avro = new org.apache.avro.Schema.Parser().setValidateDefaults(false).parse(json);
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
        Schema connect = AvroToConnect.toConnect(avro);
        return new PayloadCodec(FORMAT_AVRO, connect, json, payloadSchema.clone(), CodecCompiler.compile(avro, connect, "", 0));
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

    /** The Avro schema JSON of the plaintext, or null for schemaless values. */
    public String schemaJson() {
        return schemaJson;
    }

    /** What the envelope's payloadSchema field holds (raw DEFLATE of {@link #schemaJson()}), or null. */
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

    /** Decodes a whole payload; trailing bytes are an error. */
    public Object decode(byte[] plaintext) {
        BinaryReader in = new BinaryReader(plaintext);
        Object value = root.read(in);
        if (!in.atEnd()) {
            throw new MalformedPayloadException("The payload has " + in.remaining() + " unexpected trailing bytes");
        }
        return value;
    }
}
