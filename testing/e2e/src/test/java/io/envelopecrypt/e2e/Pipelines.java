package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.harness.SchemaRegistry;
import io.envelopecrypt.harness.Wait;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Connector configurations used across the end-to-end tests. */
final class Pipelines {
    static final String GENERATOR = "io.envelopecrypt.testconnectors.PaymentGeneratorConnector";
    static final String RECORDER = "io.envelopecrypt.testconnectors.RecordingSinkConnector";
    static final String ENCRYPT = "io.envelopecrypt.connect.transforms.EncryptPayload";
    static final String DECRYPT = "io.envelopecrypt.connect.transforms.DecryptPayload";
    static final String COMPAT_ENCRYPT = "io.envelopecrypt.connect.transforms.compat.EncryptPayload";
    static final String COMPAT_DECRYPT = "io.envelopecrypt.connect.transforms.compat.DecryptPayload";

    private Pipelines() {
    }

    /** Generator → EncryptPayload → Apicurio AvroConverter (Confluent wire format). */
    static Map<String, String> encryptingSource(String topic, long records, long seed, SchemaRegistry registry,
                                                Map<String, String> kek) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", GENERATOR);
        c.put("tasks.max", "1");
        c.put("topic", topic);
        c.put("records", String.valueOf(records));
        c.put("seed", String.valueOf(seed));
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.putAll(registry.avroConverterConfig("value.converter"));
        c.put("transforms", "encrypt");
        c.put("transforms.encrypt.type", ENCRYPT);
        c.put("transforms.encrypt.envelope.event.type", "static:payment.created");
        c.put("transforms.encrypt.envelope.metadata", "source=static:e2e,tenant=header:tenant");
        c.putAll(kek);
        c.put("errors.tolerance", "none");
        c.put("errors.retry.timeout", "120000");
        c.put("errors.retry.delay.max.ms", "2000");
        return c;
    }

    /** Apicurio AvroConverter → DecryptPayload → recording sink. */
    static Map<String, String> decryptingSink(String topic, Path file, SchemaRegistry registry, Map<String, String> kek) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", RECORDER);
        c.put("tasks.max", "1");
        c.put("topics", topic);
        c.put("file", file.toString());
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.putAll(registry.avroConverterConfig("value.converter"));
        c.put("transforms", "decrypt");
        c.put("transforms.decrypt.type", DECRYPT);
        c.putAll(kek);
        c.put("consumer.override.auto.offset.reset", "earliest");
        c.put("errors.tolerance", "none");
        c.put("errors.retry.timeout", "120000");
        return c;
    }

    /** The workers' local development key (their ENVELOPECRYPT_LOCAL_KEY) for the transform settings under {@code prefix}. */
    static Map<String, String> localKey(String prefix, String... more) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(prefix + "kek.provider", "local");
        c.put(prefix + "local.key", "${env:ENVELOPECRYPT_LOCAL_KEY}");
        for (int i = 0; i < more.length; i += 2) {
            c.put(prefix + more[i], more[i + 1]);
        }
        return c;
    }

    /** EncryptPayload with the local key, payload schemas registered at {@code registryUrl}, payloads compressed. */
    static Map<String, String> registryWriter(String registryUrl, String compression) {
        return localKey("transforms.encrypt.", "payload.schema.location", "registry", "schema.registry.url", registryUrl,
                "payload.compression", compression);
    }

    /** DecryptPayload with the local key, fetching payload schemas from {@code registryUrl}. */
    static Map<String, String> registryReader(String registryUrl) {
        return localKey("transforms.decrypt.", "schema.registry.url", registryUrl);
    }

    static List<Recording.Received> awaitRecords(Path file, int count, Duration timeout, ConnectCluster connect,
                                                 String... connectors) throws IOException {
        Wait.until(count + " records in " + file, timeout, () -> {
            try {
                for (String name : connectors) {
                    String s = String.valueOf(connect.status(name));
                    if (s.contains("\"FAILED\"")) {
                        throw new IllegalStateException("connector " + name + " failed: " + s);
                    }
                }
                return Recording.count(file) >= count;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, () -> {
            try {
                return Recording.count(file) + " so far";
            } catch (IOException e) {
                return e.toString();
            }
        });
        return Recording.read(file);
    }

    /**
     * The sequence headers received are exactly 0 to count-1, each once: a count alone would let one duplicate
     * hide one loss. Duplicates and missing sequences are reported separately.
     */
    static void assertSequencesExactlyOnce(List<Recording.Received> received, int count) {
        java.util.Map<Long, Integer> seen = new java.util.TreeMap<>();
        for (Recording.Received r : received) {
            seen.merge(Long.parseLong(r.header("sequence")), 1, Integer::sum);
        }
        List<Long> missing = new java.util.ArrayList<>();
        for (long seq = 0; seq < count; seq++) {
            if (!seen.containsKey(seq)) {
                missing.add(seq);
            }
        }
        List<Long> duplicated = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(java.util.Map.Entry::getKey).toList();
        List<Long> unexpected = seen.keySet().stream().filter(seq -> seq < 0 || seq >= count).toList();
        org.assertj.core.api.Assertions.assertThat(missing).as("sequences lost").isEmpty();
        org.assertj.core.api.Assertions.assertThat(duplicated).as("sequences delivered more than once").isEmpty();
        org.assertj.core.api.Assertions.assertThat(unexpected).as("sequences never sent").isEmpty();
        org.assertj.core.api.Assertions.assertThat(received).hasSize(count);
    }
}
