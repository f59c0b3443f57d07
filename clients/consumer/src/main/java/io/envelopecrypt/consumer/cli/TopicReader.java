package io.envelopecrypt.consumer.cli;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Reads a topic from the beginning up to the end offsets it had when reading started, without a consumer
 * group (nothing is committed, no other consumer is disturbed).
 */
final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    TopicReader(String bootstrapServers, String topic, Properties extra) {
        Properties props = new Properties();
        props.putAll(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "envelopecrypt-cli");
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
    }

    /** Partitions of the topic; fails clearly when it does not exist. */
    List<TopicPartition> partitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new CliException(EnvelopeCli.EXIT_UNAVAILABLE, "Topic '" + topic + "' does not exist or is not visible");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).sorted(
                (a, b) -> Integer.compare(a.partition(), b.partition())).toList();
    }

    /** Hands every record to {@code handler}, up to {@code maxRecords}; returns how many were read. */
    long readAll(long maxRecords, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        List<TopicPartition> partitions = partitions();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        long read = 0;
        while (!end.isEmpty() && read < maxRecords) {
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                if (read >= maxRecords) {
                    break;
                }
                Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
                if (stop == null || r.offset() >= stop) {
                    continue;
                }
                handler.accept(r);
                read++;
            }
            // Transaction markers and compacted gaps mean the last offset may never arrive as a record.
            end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        }
        return read;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
