package io.envelopecrypt.consumer.examples;

import io.envelopecrypt.consumer.Decrypted;
import io.envelopecrypt.consumer.TopicDecryptor;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;

/**
 * A plain {@link KafkaConsumer} that reads an encrypted topic and decrypts each value: no Connect worker, no
 * Confluent libraries. The value stays {@code byte[]}; {@link TopicDecryptor} resolves the schema id in the
 * registry, unwraps the data key (cached) and returns the original value with its Connect schema.
 *
 * <pre>
 * java -cp envelopecrypt-consumer.jar:lib/* io.envelopecrypt.consumer.examples.PlainKafkaConsumerExample \
 *     localhost:9092 payments.encrypted http://localhost:8081 https://my-vault.vault.azure.net payments-kek
 * </pre>
 */
public final class PlainKafkaConsumerExample {
    private PlainKafkaConsumerExample() {
    }

    public static void main(String[] args) {
        Map<String, Object> settings = Map.of(
                "kek.provider", "azure-keyvault",
                "azure.keyvault.url", args[3],                   // DefaultAzureCredential picks up the identity
                "azure.keyvault.key.name", args[4],              // the only key whose data keys are unwrapped
                TopicDecryptor.SCHEMA_REGISTRY_URL, args[2]);
        consume(args[0], args[1], "payments-reader", settings, Long.MAX_VALUE,
                (key, value) -> System.out.println(key + " -> " + value.toJson()));
    }

    /** Polls {@code topic} in consumer group {@code group} until {@code maxRecords} values were decrypted. */
    public static long consume(String bootstrapServers, String topic, String group, Map<String, Object> settings,
                               long maxRecords, BiConsumer<String, Decrypted> handler) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long seen = 0;
        try (TopicDecryptor decryptor = TopicDecryptor.fromConfig(settings);
             KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (seen < maxRecords) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {            // tombstones stay tombstones
                        handler.accept(record.key(), decryptor.decrypt(record.topic(), record.value()));
                    }
                    seen++;
                }
            }
        }
        return seen;
    }
}
