package io.envelopecrypt.consumer.cli;

import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.consumer.ConfluentWireFormat;
import io.envelopecrypt.consumer.Rewrapper;
import io.envelopecrypt.consumer.SchemaRegistryClient;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies a topic to another, changing how every data key is wrapped: re-wrapped under a new KEK or keyring (a new
 * key version, another key or vault), copies added for further KEKs (a second region), or copies removed (a
 * retired vault). Payloads are copied byte for byte and never decrypted; keys, headers, timestamps and partitions
 * are kept, and so is the order within each partition.
 */
@Command(name = "rewrap", mixinStandardHelpOptions = true,
        description = "Copy a topic to --to-topic with its data keys re-wrapped: --to-kek replaces every wrapped copy "
                + "(key rotation, vault migration), --add-kek adds copies by further KEKs (e.g. a second region for old "
                + "data), --remove-kek drops copies by retired KEKs. Payloads are not decrypted; keys, headers, "
                + "timestamps and partitions are kept. Stops at the first record it cannot re-wrap unless "
                + "--skip-bad-records.")
final class RewrapCommand implements Callable<Integer> {
    @Mixin
    TopicOptions topic;

    @Option(names = "--to-topic", required = true, description = "Where the re-wrapped records go (created beforehand, "
            + "with at least as many partitions).")
    String toTopic;

    @Option(names = "--from-kek", paramLabel = "FILE",
            description = "Properties with the key settings that unwrap the current data keys (as for DecryptPayload; "
                    + "kek.ring for several). Needed with --to-kek or --add-kek.")
    Path fromKek;

    @Option(names = "--to-kek", paramLabel = "FILE",
            description = "Properties with the key settings to wrap them with instead (as for EncryptPayload; kek.ring "
                    + "for several): every existing copy is replaced.")
    Path toKek;

    @Option(names = "--add-kek", paramLabel = "FILE",
            description = "Properties with further key settings (as for EncryptPayload; kek.ring for several) whose "
                    + "copies are added next to the existing ones.")
    Path addKek;

    @Option(names = "--remove-kek", paramLabel = "KEYID-PREFIX",
            description = "Drop wrapped copies whose keyId starts with this (e.g. https://old.vault.azure.net/ or "
                    + "local:); repeatable. An envelope always keeps at least one copy.")
    List<String> removeKek = new ArrayList<>();

    @Option(names = "--producer-config", paramLabel = "FILE", description = "Extra Kafka producer properties.")
    Path producerConfig;

    @Option(names = "--skip-bad-records", description = "Report records that cannot be re-wrapped and go on "
            + "(they are not copied); the exit code is then 1.")
    boolean skipBadRecords;

    @Override
    public Integer call() {
        java.io.PrintStream err = System.err;
        Progress progress = new Progress(err, "re-wrapped");
        SchemaRegistryClient registry = topic.registry();
        if (registry == null) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, "rewrap writes through the schema registry: give --registry URL");
        }
        String subject = toTopic + "-value";
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        Path target = toKek != null ? toKek : addKek;
        if (toKek != null && addKek != null || target == null && removeKek.isEmpty() || (target == null) != (fromKek == null)) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, "Give --from-kek with one of --to-kek and --add-kek, and/or "
                    + "--remove-kek");
        }
        Keyring from = fromKek == null ? null : KekFiles.keyring(fromKek, KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
        Keyring to;
        try {
            to = target == null ? null : KekFiles.keyring(target, KeyEncryptionKeyProvider.KeyOperation.WRAP);
        } catch (RuntimeException e) {
            if (from != null) {
                from.close();
            }
            throw e;
        }
        try (Rewrapper rewrapper = new Rewrapper(from, to, addKek != null, removeKek);
             TopicReader reader = topic.reader();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            int sourcePartitions = reader.partitions().size();
            int targetPartitions = producer.partitionsFor(toTopic).size();
            if (targetPartitions < sourcePartitions) {
                throw new CliException(EnvelopeCli.EXIT_USAGE, "Topic '" + toTopic + "' has " + targetPartitions
                        + " partitions, fewer than the " + sourcePartitions + " of '" + topic.topic + "'");
            }
            reader.readAll(topic.maxRecords, r -> {
                progress.tick();
                if (sendFailure.get() != null) {
                    throw new CliException(EnvelopeCli.EXIT_UNAVAILABLE, "Writing to '" + toTopic + "' failed: "
                            + sendFailure.get().getMessage());
                }
                byte[] value = null;
                if (r.value() != null) {
                    if (!ConfluentWireFormat.isWireFormat(r.value())) {
                        throw new CliException(EnvelopeCli.EXIT_USAGE, "rewrap copies topics written by an AvroConverter "
                                + "(the Confluent wire format); partition " + r.partition() + " offset " + r.offset()
                                + " is not one");
                    }
                    try {
                        GenericRecord rewrapped = rewrapper.rewrap(ConfluentWireFormat.read(r.value(), registry));
                        value = ConfluentWireFormat.write(rewrapped, registry.register(subject, rewrapped.getSchema()));
                    } catch (RuntimeException e) {
                        if (!TopicOptions.reportRecordFailure(e, r, err)) {
                            throw e;
                        }
                        progress.failed++;
                        if (!skipBadRecords) {
                            throw new CliException(EnvelopeCli.EXIT_RECORDS_FAILED, "Stopped at partition " + r.partition()
                                    + " offset " + r.offset() + "; records before it were copied (use --skip-bad-records to go on)");
                        }
                        return;
                    }
                }
                producer.send(new ProducerRecord<>(toTopic, r.partition(), r.timestamp(), r.key(), value, r.headers()),
                        (metadata, e) -> {
                            if (e != null) {
                                sendFailure.compareAndSet(null, e);
                            }
                        });
            });
            producer.flush();
            if (sendFailure.get() != null) {
                throw new CliException(EnvelopeCli.EXIT_UNAVAILABLE, "Writing to '" + toTopic + "' failed: "
                        + sendFailure.get().getMessage());
            }
            progress.summary(topic.topic, String.format(" to %s, %,d distinct data keys re-wrapped",
                    toTopic, rewrapper.distinctKeys()));
        }
        return progress.failed == 0 ? EnvelopeCli.EXIT_OK : EnvelopeCli.EXIT_RECORDS_FAILED;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = producerConfig == null ? new Properties() : KekFiles.load(producerConfig);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, topic.bootstrapServers);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "envelopecrypt-cli-rewrap");
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Duration.ofMinutes(2).toMillis()));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
