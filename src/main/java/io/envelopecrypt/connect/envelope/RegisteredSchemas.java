package io.envelopecrypt.connect.envelope;

/**
 * Where a reader finds payload schemas kept in a schema registry ({@code avro-registry} envelopes): the schema text
 * registered under an id, exactly as the registry serves it (its SHA-256 is checked against the envelope's).
 * Implementations throw a {@link org.apache.kafka.connect.errors.RetriableException} while the registry is
 * unreachable, and a {@link org.apache.kafka.connect.errors.ConnectException} naming the id when it refuses.
 */
@FunctionalInterface
public interface RegisteredSchemas {
    String schemaText(int id);
}
