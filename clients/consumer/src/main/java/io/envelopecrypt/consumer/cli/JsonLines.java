package io.envelopecrypt.consumer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The loop that {@code inspect} and {@code decrypt} share: one JSON object per record on stdout (position,
 * key, then what the command adds), tombstones marked as such, failing records reported on stderr by
 * partition and offset, progress and a summary on stderr.
 */
final class JsonLines {
    static final ObjectMapper JSON = new ObjectMapper();

    @FunctionalInterface
    interface Describer {
        /** Adds the command's fields for a non-null record value to {@code line}. */
        void describe(ObjectNode line, byte[] value) throws IOException;
    }

    private JsonLines() {
    }

    static int run(TopicOptions topic, PrintWriter out, String verb, Describer describer, Supplier<String> summaryExtra) {
        PrintStream err = System.err;
        Progress progress = new Progress(err, verb);
        try (TopicReader reader = topic.reader()) {
            reader.readAll(topic.maxRecords, r -> {
                progress.tick();
                ObjectNode line = position(r);
                if (r.value() == null) {
                    line.put("tombstone", true);
                } else {
                    try {
                        describer.describe(line, r.value());
                    } catch (RuntimeException e) {
                        if (!TopicOptions.reportRecordFailure(e, r, err)) {
                            throw e;
                        }
                        progress.failed++;
                        return;
                    } catch (IOException e) {
                        throw new IllegalStateException("JSON rendering failed", e);
                    }
                }
                out.println(line);
            });
        }
        out.flush();
        progress.summary(topic.topic, summaryExtra.get());
        return progress.failed == 0 ? EnvelopeCli.EXIT_OK : EnvelopeCli.EXIT_RECORDS_FAILED;
    }

    private static ObjectNode position(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode line = JSON.createObjectNode();
        line.put("partition", r.partition()).put("offset", r.offset()).put("timestamp", r.timestamp());
        line.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        return line;
    }
}
