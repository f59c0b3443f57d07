package io.envelopecrypt.connect.transforms.compat;

import io.envelopecrypt.connect.transforms.AbstractEncryptPayload;

import org.apache.kafka.connect.connector.ConnectRecord;

import java.time.Clock;

/**
 * {@link io.envelopecrypt.connect.transforms.EncryptPayload} for Kafka Connect 3.6 to 4.0 workers, which
 * cannot load classes that implement the 4.1 {@code Monitorable} interface. Same behaviour, same
 * configuration, same envelopes; no plugin metrics.
 */
public class EncryptPayload<R extends ConnectRecord<R>> extends AbstractEncryptPayload<R> {
    public EncryptPayload() {
        super(Clock.systemUTC());
    }
}
