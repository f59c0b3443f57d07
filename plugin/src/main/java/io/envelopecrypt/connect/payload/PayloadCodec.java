package io.envelopecrypt.connect.payload;

import org.apache.avro.SchemaParseException;
import org.apache.kafka.connect.data.Schema;

import java.nio.charset.StandardCharsets;

/**
 * The plaintext format: a record value encoded as Avro binary. For a value with a Connect schema the
 * Avro schema (with {@code connect.*} properties, see {@link ConnectAvroMapping}) travels in the
 * envelope's {@code payloadSchema} field; schemaless values use the fixed {@code DynamicValue} schema
 * (see {@link SchemalessCodec}) and leave {@code payloadSchema} empty.
 *
 * <p>Any Avro library can read the decrypted bytes with that schema; {@link #decode} gives back the
 * original Connect value and schema. Instances are immutable and thread-safe; build them once per schema.
 */
public final class PayloadCodec {
    /** Format marker for values with a Connect schema. */
    public static final String FORMAT_AVRO = "avro";
    /** Format marker for schemaless values. */
    public static final String FORMAT_AVRO_SCHEMALESS = "avro-schemaless";

    /** The codec for schemaless values. */
    public static final PayloadCodec SCHEMALESS = new PayloadCodec(FORMAT_AVRO_SCHEMALESS, null, null, new SchemalessCodec());

    private final String format;
    private final Schema connectSchema;
    private final String payloadSchema;
    private final byte[] payloadSchemaUtf8;
    private final ValueCodec root;

    private PayloadCodec(String format, Schema connectSchema, String payloadSchema, ValueCodec root) {
        this.format = format;
        this.connectSchema = connectSchema;
        this.payloadSchema = payloadSchema;
        this.payloadSchemaUtf8 = payloadSchema == null ? null : payloadSchema.getBytes(StandardCharsets.UTF_8);
        this.root = root;
    }

    /** Compiles the codec for values of {@code schema}. */
    public static PayloadCodec forSchema(Schema schema) {
        org.apache.avro.Schema avro = ConnectAvroMapping.toAvro(schema);
        ValueCodec root = ConnectAvroMapping.compile(avro, schema, "", 0);
        return new PayloadCodec(FORMAT_AVRO, schema, avro.toString(), root);
    }

    /** Rebuilds a codec (and the Connect schema) from the Avro schema carried in an envelope. */
    public static PayloadCodec fromPayloadSchema(String payloadSchema) {
        org.apache.avro.Schema avro;
        try {
            avro = new org.apache.avro.Schema.Parser().setValidateDefaults(false).parse(payloadSchema);
        } catch (SchemaParseException | IllegalArgumentException | StackOverflowError e) {
            throw new MalformedPayloadException("The envelope's payloadSchema is not a valid Avro schema");
        } catch (RuntimeException e) {
            throw new MalformedPayloadException("The envelope's payloadSchema is not a valid Avro schema ("
                    + e.getClass().getSimpleName() + ")");
        }
        Schema connect = ConnectAvroMapping.toConnect(avro);
        return new PayloadCodec(FORMAT_AVRO, connect, payloadSchema, ConnectAvroMapping.compile(avro, connect, "", 0));
    }

    /** The Avro schema of the schemaless format, for documentation and outside readers. */
    public static org.apache.avro.Schema schemalessAvroSchema() {
        return SchemalessCodec.DYNAMIC_VALUE;
    }

    public String format() {
        return format;
    }

    /** The Connect value schema, or null for schemaless values. */
    public Schema connectSchema() {
        return connectSchema;
    }

    /** The Avro schema JSON for the envelope, or null for schemaless values. */
    public String payloadSchema() {
        return payloadSchema;
    }

    /** {@link #payloadSchema()} as UTF-8, cached for the associated data. */
    public byte[] payloadSchemaUtf8() {
        return payloadSchemaUtf8;
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
