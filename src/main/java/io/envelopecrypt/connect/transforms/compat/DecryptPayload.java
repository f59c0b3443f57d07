package io.envelopecrypt.connect.transforms.compat;

import io.envelopecrypt.connect.transforms.AbstractDecryptPayload;

import org.apache.kafka.connect.connector.ConnectRecord;

import java.time.Clock;

/**
 * {@link io.envelopecrypt.connect.transforms.DecryptPayload} for Kafka Connect 3.6 to 4.0 workers, which
 * cannot load classes that implement the 4.1 {@code Monitorable} interface. Same behaviour, same
 * configuration; no plugin metrics.
 */
public class DecryptPayload<R extends ConnectRecord<R>> extends AbstractDecryptPayload<R> {
    public DecryptPayload() {
        super(Clock.systemUTC());
    }
}
