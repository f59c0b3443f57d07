package io.envelopecrypt.harness;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) as a child process, started from
 * {@code testing/connect-runtimes/kafka-broker}'s classpath the way {@code kafka-storage.sh format} and
 * {@code kafka-server-start.sh} start one: the broker runs the primary Kafka version in its own JVM, whatever
 * kafka-clients the tests use. Its data stays in the stack's work directory across {@link #stopBroker()} and
 * {@link #restartBroker()}.
 */
public final class KafkaBroker implements AutoCloseable {
    private final int port = Ports.free();
    private final int controllerPort = Ports.free();
    private final Path dir;
    private final Path config;
    private final String classpath;
    private final ManagedProcess process;

    public KafkaBroker(RepoLayout layout, Path workDir) {
        try {
            dir = Files.createDirectories(workDir.resolve("kafka-broker"));
            classpath = Files.readString(layout.brokerClasspathFile()).trim() + File.pathSeparator + layout.testConnectorsJar();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dir.resolve("data").toString());
        props.put("auto.create.topics.enable", "true");
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.flush.interval.messages", "1000000");
        // Keep everything: tests and the demo read topics from the beginning.
        props.put("log.retention.ms", "-1");
        config = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            props.store(out, "single-node KRaft broker of the test stack");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // WorkerMain: the broker exits when the stack's JVM goes away (its standard input closes), so none outlives a
        // killed test or demo.
        process = new ManagedProcess("kafka-broker", java("io.envelopecrypt.testconnectors.WorkerMain", "kafka.Kafka",
                config.toString()), Map.of(), dir.resolve("kafka-broker.log"));
    }

    private List<String> java(String... mainAndArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath));
        cmd.addAll(List.of(mainAndArgs));
        return cmd;
    }

    public KafkaBroker start() {
        format();
        process.start();
        awaitReady();
        return this;
    }

    /** kafka-storage.sh format: a new cluster id, written into the log directory once. */
    private void format() {
        if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        List<String> cmd = java("kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", config.toString());
        try {
            Process format = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("kafka-storage-format.log").toFile()).start();
            format.getOutputStream().close();
            if (!format.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("kafka-storage format failed; see " + dir.resolve("kafka-storage-format.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted formatting the broker's storage", e);
        }
    }

    private static String randomClusterId() {
        java.util.UUID u = java.util.UUID.randomUUID();
        byte[] b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void awaitReady() {
        Wait.until("the Kafka broker at " + bootstrapServers(), Duration.ofSeconds(120), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited; see " + process.logFile());
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
                return !admin.describeCluster().nodes().get(5, java.util.concurrent.TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + topic, e);
        }
    }

    /** Stops the broker (keeping its data) to simulate a broker outage. */
    public void stopBroker() {
        process.stop(Duration.ofSeconds(30));
    }

    public void restartBroker() {
        process.start();
        awaitReady();
    }

    /** The broker's log file (kept with the stack's work directory when a run fails). */
    public Path logFile() {
        return process.logFile();
    }

    /** Whether the topic exists (asking does not create it, unlike a consumer's metadata request for it). */
    public boolean topicExists(String topic) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            return consumer.listTopics(Duration.ofSeconds(10)).containsKey(topic);
        }
    }

    /** The sum of the end offsets of a topic's partitions (records written, tombstones included). */
    public long endOffsets(String topic) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Every record of a topic, raw, from the beginning up to the current end offsets. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic);
                }
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                batch.forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        process.close();
    }
}
