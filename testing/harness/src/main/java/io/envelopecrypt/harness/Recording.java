package io.envelopecrypt.harness;

import com.fasterxml.jackson.databind.JsonNode;

import io.envelopecrypt.testconnectors.TypedJson;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads what {@code RecordingSinkConnector} wrote: one JSON line per record the sink received. */
public final class Recording {
    private Recording() {
    }

    /** One received record: its value schema (null when schemaless) and value, exactly as the sink got them. */
    public record Received(String topic, int partition, long offset, String key, List<List<String>> headers,
                           Schema schema, Object value, boolean tombstone) {
        public String header(String name) {
            for (List<String> h : headers) {
                if (h.get(0).equals(name)) {
                    return h.get(1);
                }
            }
            return null;
        }
    }

    /** Complete lines written so far: cheap enough to poll while a pipeline runs. */
    public static long count(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long lines = 0;
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int b = in.read(); b != -1; b = in.read()) {
                if (b == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    public static List<Received> read(Path file) throws IOException {
        List<Received> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true", "converter.type", "value"));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.isBlank() || !line.endsWith("}")) {
                continue; // a line still being written
            }
            JsonNode n = Http.JSON.readTree(line);
            List<List<String>> headers = new ArrayList<>();
            n.path("headers").forEach(h -> headers.add(List.of(h.get(0).asText(), h.get(1).asText())));
            Schema schema = n.hasNonNull("schema") ? converter.asConnectSchema(n.get("schema")) : null;
            boolean tombstone = n.get("value") == null || n.get("value").isNull();
            Object value = tombstone ? null : TypedJson.decode(n.get("value"), schema);
            out.add(new Received(n.path("topic").asText(), n.path("partition").asInt(), n.path("offset").asLong(),
                    n.path("key").isNull() ? null : n.path("key").asText(), headers, schema, value, tombstone));
        }
        return out;
    }
}
