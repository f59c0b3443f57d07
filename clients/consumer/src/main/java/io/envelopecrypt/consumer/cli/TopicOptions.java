package io.envelopecrypt.consumer.cli;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.consumer.EnvelopeBytes;
import io.envelopecrypt.consumer.SchemaRegistryClient;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.errors.DataException;

import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Properties;

/** The options every command shares: where the topic and its registry are. */
final class TopicOptions {
    @Option(names = {"-b", "--bootstrap-server"}, required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, required = true, description = "The encrypted topic to read.")
    String topic;

    @Option(names = {"-r", "--registry"}, paramLabel = "URL",
            description = "Schema registry URL with the Confluent API (for Apicurio Registry: its /apis/ccompat/v7 URL). "
                    + "Needed for topics written with an AvroConverter; topics written with JsonConverter need none.")
    String registryUrl;

    @Option(names = "--registry-user-info", paramLabel = "USER:PASSWORD",
            description = "Basic authentication for the registry.")
    String registryUserInfo;

    @Option(names = "--consumer-config", paramLabel = "FILE",
            description = "Extra Kafka consumer properties (security settings, for example).")
    Path consumerConfig;

    @Option(names = {"-n", "--max-records"}, defaultValue = "" + Long.MAX_VALUE, paramLabel = "N",
            description = "Stop after N records (default: all records present when the command starts).")
    long maxRecords;

    TopicReader reader() {
        return new TopicReader(bootstrapServers, topic, consumerConfig == null ? new Properties() : KekFiles.load(consumerConfig));
    }

    /** The registry, or null when none was given (JsonConverter topics). */
    SchemaRegistryClient registry() {
        return registryUrl == null ? null : new SchemaRegistryClient(registryUrl, registryUserInfo);
    }

    /** Refuses a value an AvroConverter wrote when no registry was given: every such record would fail alike. */
    static void requireRegistryFor(byte[] value, SchemaRegistryClient registry) {
        if (registry == null && EnvelopeBytes.isWireFormat(value)) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, "The topic holds records written by an AvroConverter (the "
                    + "Confluent wire format): give the schema registry with --registry URL");
        }
    }

    /**
     * Reports a failure that concerns this record only and returns true; returns false for failures that
     * concern every record (Kafka, registry or key service unusable), which the caller rethrows.
     */
    static boolean reportRecordFailure(RuntimeException e, ConsumerRecord<?, ?> r, PrintStream err) {
        boolean recordProblem = e instanceof KmsAccessException k ? k.isRecordProblem() : e instanceof DataException;
        if (recordProblem) {
            err.printf("partition %d offset %d: %s%n", r.partition(), r.offset(), e.getMessage());
        }
        return recordProblem;
    }
}
