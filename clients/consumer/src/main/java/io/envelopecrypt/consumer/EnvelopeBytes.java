package io.envelopecrypt.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;

import java.util.Map;

/**
 * An envelope from a record value's bytes, whichever converter wrote it: an {@code AvroConverter} (the Confluent
 * wire format, magic byte 0, resolved through the schema registry) or {@code JsonConverter} (a JSON object, with
 * {@code schemas.enable=false}, or its {@code payload} with {@code schemas.enable=true}; bytes as base64).
 */
public final class EnvelopeBytes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnvelopeBytes() {
    }

    /** True for a value an AvroConverter wrote (it starts with the wire format's magic byte). */
    public static boolean isWireFormat(byte[] value) {
        return ConfluentWireFormat.isWireFormat(value);
    }

    /**
     * Reads and checks the envelope (as {@code DecryptPayload} does).
     *
     * @param registry needed for wire-format values only; may be null
     */
    public static Envelope read(byte[] value, SchemaRegistryClient registry) {
        if (isWireFormat(value)) {
            if (registry == null) {
                throw new MalformedEnvelopeException("The value is in the Confluent wire format (an AvroConverter wrote "
                        + "it): reading it needs the schema registry");
            }
            return EnvelopeRecords.fromAvro(ConfluentWireFormat.read(value, registry));
        }
        return EnvelopeCodec.read(json(value));
    }

    private static Object json(byte[] value) {
        int first = 0;
        while (first < value.length && Character.isWhitespace(value[first])) {
            first++;
        }
        if (first == value.length || value[first] != '{') {
            throw new MalformedEnvelopeException("The value is neither in the Confluent wire format nor a JSON object; "
                    + "was it written by EncryptPayload with an AvroConverter or JsonConverter?");
        }
        Map<?, ?> map;
        try {
            map = JSON.readValue(value, Map.class);
        } catch (JsonProcessingException e) {
            throw new MalformedEnvelopeException("The value starts like JSON but is not valid JSON (at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("reading from memory failed", e);
        }
        // JsonConverter with schemas.enable=true wraps the value as {"schema": ..., "payload": ...}.
        if (map.size() == 2 && map.containsKey("schema") && map.get("payload") instanceof Map<?, ?> payload) {
            return payload;
        }
        return map;
    }
}
