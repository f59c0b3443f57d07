package io.envelopecrypt.testconnectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;

/**
 * See {@link CountingSinkConnector}. The summary file is a JSON object: {@code count}, {@code nullValues},
 * {@code firstReceivedMillis}, {@code lastReceivedMillis} and latency percentiles in milliseconds
 * ({@code p50}, {@code p90}, {@code p99}, {@code p999}, {@code max}), rewritten atomically at most every
 * 200 ms and when the task stops.
 */
public class CountingSinkTask extends SinkTask {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Latencies in whole milliseconds; the last bucket holds everything from 10 minutes up. */
    private static final int MAX_LATENCY_MS = 600_000;

    private final long[] latencyHistogram = new long[MAX_LATENCY_MS + 1];
    private Path file;
    private long count;
    private long nullValues;
    private long firstReceivedMillis;
    private long lastReceivedMillis;
    private long maxLatency;
    private long lastWrittenMillis;
    private boolean dirty;
    private long skipLatency;
    private long latencyCount;

    @Override
    public void start(Map<String, String> props) {
        file = Path.of(props.get(FileSinkConnector.FILE));
        skipLatency = Long.parseLong(props.getOrDefault(FileSinkConnector.LATENCY_SKIP_RECORDS, "0"));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ConnectException("cannot create the summary file's directory", e);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        long now = System.currentTimeMillis();
        if (!records.isEmpty()) {
            record(records, now);
        }
        // Connect calls put() with no records while the topic is idle, so the summary catches up then.
        if (dirty && now - lastWrittenMillis >= 200) {
            writeSummary();
            lastWrittenMillis = now;
            dirty = false;
        }
    }

    private void record(Collection<SinkRecord> records, long now) {
        dirty = true;
        if (count == 0) {
            firstReceivedMillis = now;
        }
        lastReceivedMillis = now;
        for (SinkRecord r : records) {
            count++;
            if (r.value() == null) {
                nullValues++;
            }
            if (count <= skipLatency) {
                continue;
            }
            long latency = Math.max(0, now - r.timestamp());
            maxLatency = Math.max(maxLatency, latency);
            latencyHistogram[(int) Math.min(latency, MAX_LATENCY_MS)]++;
            latencyCount++;
        }
    }

    private long percentile(double p) {
        long rank = (long) Math.ceil(p * latencyCount);
        long seen = 0;
        for (int ms = 0; ms < latencyHistogram.length; ms++) {
            seen += latencyHistogram[ms];
            if (seen >= rank) {
                return ms;
            }
        }
        return maxLatency;
    }

    private void writeSummary() {
        ObjectNode s = JSON.createObjectNode();
        s.put("count", count);
        s.put("nullValues", nullValues);
        s.put("latencyRecords", latencyCount);
        s.put("firstReceivedMillis", firstReceivedMillis);
        s.put("lastReceivedMillis", lastReceivedMillis);
        s.put("p50", percentile(0.50));
        s.put("p90", percentile(0.90));
        s.put("p99", percentile(0.99));
        s.put("p999", percentile(0.999));
        s.put("max", maxLatency);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(s));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ConnectException("cannot write the summary file", e);
        }
    }

    @Override
    public void stop() {
        if (count > 0 && file != null) {
            writeSummary();
        }
    }

    @Override
    public String version() {
        return "test";
    }
}
