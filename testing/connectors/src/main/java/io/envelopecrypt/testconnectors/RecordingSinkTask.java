package io.envelopecrypt.testconnectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;

/** See {@link RecordingSinkConnector}. */
public class RecordingSinkTask extends SinkTask {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonConverter converter = new JsonConverter();
    private Writer out;

    @Override
    public void start(Map<String, String> props) {
        converter.configure(Map.of("schemas.enable", "true", "converter.type", "value"));
        try {
            Path file = Path.of(props.get(RecordingSinkConnector.FILE));
            Files.createDirectories(file.toAbsolutePath().getParent());
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ConnectException("cannot open the recording file", e);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        try {
            for (SinkRecord r : records) {
                out.write(line(r));
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw new ConnectException("cannot write the recording file", e);
        }
    }

    String line(SinkRecord r) throws IOException {
        ObjectNode line = JSON.createObjectNode();
        line.put("topic", r.topic());
        line.put("partition", r.kafkaPartition());
        line.put("offset", r.kafkaOffset());
        line.put("timestamp", r.timestamp());
        line.set("key", JSON.valueToTree(r.key() == null ? null : r.key().toString()));
        ArrayNode headers = line.putArray("headers");
        for (Header h : r.headers()) {
            headers.addArray().add(h.key()).add(String.valueOf(h.value()));
        }
        if (r.value() == null) {
            line.putNull("value");
        } else {
            if (r.valueSchema() != null) {
                line.set("schema", converter.asJsonSchema(r.valueSchema()));
            }
            line.set("value", JSON.valueToTree(TypedJson.encode(r.value())));
        }
        return JSON.writeValueAsString(line);
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new ConnectException("cannot flush the recording file", e);
        }
    }

    @Override
    public void stop() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    @Override
    public String version() {
        return "test";
    }
}
