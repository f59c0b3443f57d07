package io.envelopecrypt.consumer;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.DecimalFormat;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Renders decrypted values as JSON with Kafka's own {@link JsonConverter} ({@code schemas.enable=false},
 * {@code decimal.format=NUMERIC}): structs and maps as objects, decimals as numbers, Timestamp/Date/Time as
 * epoch milliseconds/days/milliseconds of the day, bytes as base64, and a null in a field with a default as
 * that default (Connect's meaning of such a null).
 */
public final class PlaintextJson {
    private static final ThreadLocal<JsonConverter> CONVERTERS = ThreadLocal.withInitial(() -> {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.DECIMAL_FORMAT_CONFIG, DecimalFormat.NUMERIC.name()), false);
        return c;
    });

    private PlaintextJson() {
    }

    public static String toJson(Schema schema, Object value) {
        byte[] json = CONVERTERS.get().fromConnectData("", schema, value);
        return json == null ? "null" : new String(json, StandardCharsets.UTF_8);
    }
}
