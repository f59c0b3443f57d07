package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The Confluent wire format that Confluent's and Apicurio's {@code AvroConverter} write: magic byte {@code 0},
 * the 4-byte big-endian schema id, then the Avro binary encoding of the value.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC = 0;
    private static final int HEADER_BYTES = 5;

    private ConfluentWireFormat() {
    }

    /** True for a value that starts like the wire format (the magic byte). */
    public static boolean isWireFormat(byte[] bytes) {
        return bytes != null && bytes.length > 0 && bytes[0] == MAGIC;
    }

    /** The schema id of a wire-format value. */
    public static int schemaId(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES || bytes[0] != MAGIC) {
            throw new MalformedEnvelopeException("The value is not in the Confluent wire format (magic byte 0 and a "
                    + "4-byte schema id); was it written by an AvroConverter?");
        }
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    /** Decodes a wire-format value with the writer schema found in the registry. */
    public static GenericRecord read(byte[] bytes, SchemaRegistryClient registry) {
        int id = schemaId(bytes);
        Schema schema = registry.schemaById(id);
        if (schema.getType() != Schema.Type.RECORD) {
            throw new MalformedEnvelopeException("Schema id " + id + " is a " + schema.getType() + ", not an envelope record");
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null);
            GenericRecord record = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new MalformedEnvelopeException("The value has bytes after the Avro record of schema id " + id);
            }
            return record;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new MalformedEnvelopeException("The value does not decode with schema id " + id + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Encodes a record in the wire format under {@code schemaId}. */
    public static byte[] write(GenericRecord record, int schemaId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        out.write(MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }
}
