package io.envelopecrypt.testconnectors;

import org.apache.kafka.connect.connector.Task;

/**
 * Writes every record it receives as one JSON line to a file: topic, partition, offset, key, headers, the
 * value schema (JsonConverter's schema JSON) and the value with its exact types and raw nulls
 * ({@link TypedJson}). Tests compare those lines with what the source produced.
 */
public class RecordingSinkConnector extends FileSinkConnector {

    @Override
    public Class<? extends Task> taskClass() {
        return RecordingSinkTask.class;
    }
}
