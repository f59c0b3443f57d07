package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.PlaintextScanner;
import io.envelopecrypt.harness.Recording;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The envelope is a Connect Struct, so converters other than Avro can carry it. Apicurio's {@code ExtJsonConverter}
 * (JSON with the value's schema registered in the registry, the JSON Schema counterpart of its AvroConverter) writes
 * and reads it end to end here. Apicurio has no Connect converter for Protobuf at the version this project can
 * download (2.6.13: Protobuf serdes for generated messages only), and Confluent's ProtobufConverter and
 * JsonSchemaConverter are not on Maven Central: docs/platforms.md says what that leaves untested.
 */
@ExtendWith(SharedStackExtension.class)
class OtherConvertersIT {
    private final SharedStack shared;
    private final ConnectCluster connect;

    OtherConvertersIT(SharedStack shared) {
        this.shared = shared;
        this.connect = shared.connect;
    }

    private Map<String, String> extJson(Map<String, String> config) {
        Map<String, String> c = new LinkedHashMap<>(config);
        c.keySet().removeIf(k -> k.startsWith("value.converter"));
        c.put("value.converter", "io.apicurio.registry.utils.converter.ExtJsonConverter");
        c.put("value.converter.apicurio.registry.url", shared.stack.registry().url() + "/apis/registry/v2");
        c.put("value.converter.apicurio.registry.auto-register", "true");
        c.put("value.converter.apicurio.registry.headers.enabled", "false");
        return c;
    }

    @Test
    void apicuriosJsonConverterWithRegisteredSchemasCarriesTheEnvelope() throws Exception {
        String topic = "payments-extjson";
        int records = 300;
        long seed = 21;
        Map<String, String> writer = Pipelines.registryWriter(shared.stack.registry().ccompatUrl(), "none");
        Map<String, String> reader = Pipelines.registryReader(shared.stack.registry().ccompatUrl());
        Path out = shared.stack.workDir().resolve(topic + ".jsonl");
        connect.createConnector("extjson-source", extJson(Pipelines.encryptingSource(topic, records, seed,
                shared.stack.registry(), writer)));
        connect.createConnector("extjson-sink", extJson(Pipelines.decryptingSink(topic, out, shared.stack.registry(), reader)));
        try {
            List<Recording.Received> received = Pipelines.awaitRecords(out, records, SharedStack.timeout(), connect,
                    "extjson-source", "extjson-sink");
            Pipelines.assertSequencesExactlyOnce(received, records);
            for (Recording.Received r : received) {
                long seq = Long.parseLong(r.header("sequence"));
                assertThat(r.schema()).isEqualTo(Payments.PAYMENT);
                assertThat(r.value()).as("record %d", seq).isEqualTo(Payments.payment(seed, seq));
            }
            List<byte[]> raw = new ArrayList<>();
            List<String> secrets = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : shared.stack.broker().readAll(topic, Duration.ofSeconds(30))) {
                raw.add(r.value());
            }
            for (long seq = 0; seq < records; seq += 25) {
                secrets.addAll(Payments.sensitiveStrings(seed, seq));
            }
            String first = new String(raw.get(0), StandardCharsets.UTF_8);
            assertThat(first).contains("encryptedPayload").contains("avro-registry");
            assertThat(new PlaintextScanner(raw).findAny(secrets)).as("plaintext on the topic").isNull();
        } finally {
            connect.deleteConnector("extjson-source");
            connect.deleteConnector("extjson-sink");
        }
    }
}
