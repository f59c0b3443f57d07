package io.envelopecrypt.testconnectors;

import org.apache.kafka.connect.connector.Task;

/**
 * Counts records and measures their end-to-end latency (arrival at the sink minus the record timestamp, which
 * the payment generator sets when it creates the record), for the pipeline benchmark. Its task keeps a summary
 * up to date in the configured file (see {@link CountingSinkTask}). Writing nothing per record keeps the
 * sink's own cost out of the measurement.
 */
public class CountingSinkConnector extends FileSinkConnector {

    @Override
    public Class<? extends Task> taskClass() {
        return CountingSinkTask.class;
    }
}
