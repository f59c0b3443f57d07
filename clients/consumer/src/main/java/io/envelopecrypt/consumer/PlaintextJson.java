package io.envelopecrypt.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.DecimalFormat;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;

/**
 * Renders decrypted values as JSON. Values with a schema go through Kafka's own {@link JsonConverter}
 * ({@code schemas.enable=false}, {@code decimal.format=NUMERIC}): structs and maps as objects, decimals as
 * numbers, Timestamp/Date/Time as epoch milliseconds/days/milliseconds of the day, bytes as base64, and a null
 * in a field with a default as that default (Connect's meaning of such a null).
 *
 * <p>Schemaless values follow the same rules, but are rendered here: JsonConverter refuses the Java types a
 * schemaless value may still hold (BigDecimal, java.util.Date, maps with non-string keys), which
 * {@code EncryptPayload} accepts. Maps with non-string keys become arrays of {@code [key, value]} pairs, as
 * JsonConverter writes maps whose key schema is not a string.
 */
public final class PlaintextJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ThreadLocal<JsonConverter> CONVERTERS = ThreadLocal.withInitial(() -> {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.DECIMAL_FORMAT_CONFIG, DecimalFormat.NUMERIC.name()), false);
        return c;
    });

    private PlaintextJson() {
    }

    public static String toJson(Schema schema, Object value) {
        if (schema == null) {
            try {
                return JSON.writeValueAsString(schemaless(value));
            } catch (IOException e) {
                throw new IllegalStateException("writing JSON to memory failed", e);
            }
        }
        byte[] json = CONVERTERS.get().fromConnectData("", schema, value);
        return json == null ? "null" : new String(json, StandardCharsets.UTF_8);
    }

    private static JsonNode schemaless(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof String s) {
            return NODES.textNode(s);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Byte || v instanceof Short || v instanceof Integer) {
            return NODES.numberNode(((Number) v).intValue());
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (v instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (v instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (v instanceof java.util.Date d) {
            return NODES.numberNode(d.getTime());
        }
        if (v instanceof byte[] b) {
            return NODES.textNode(Base64.getEncoder().encodeToString(b));
        }
        if (v instanceof ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            return NODES.textNode(Base64.getEncoder().encodeToString(copy));
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(x -> a.add(schemaless(x)));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            if (m.keySet().stream().allMatch(k -> k instanceof String)) {
                ObjectNode o = NODES.objectNode();
                m.forEach((k, x) -> o.set((String) k, schemaless(x)));
                return o;
            }
            ArrayNode pairs = NODES.arrayNode();
            m.forEach((k, x) -> pairs.addArray().add(schemaless(k)).add(schemaless(x)));
            return pairs;
        }
        throw new DataException("A schemaless value holds a " + v.getClass().getName() + ", which has no JSON form");
    }
}
