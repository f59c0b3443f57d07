package io.envelopecrypt.consumer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.consumer.ConfluentWireFormat;
import io.envelopecrypt.consumer.EnvelopeBytes;
import io.envelopecrypt.consumer.SchemaRegistryClient;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.TreeMap;
import java.util.concurrent.Callable;

/** Prints each envelope's cleartext fields, one JSON object per line; decrypts nothing and needs no key. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print each envelope's metadata (id, time, event type, key id, algorithms, sizes) as JSON "
                + "lines, without decrypting anything. Needs no key.")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    TopicOptions topic;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SchemaRegistryClient registry = topic.registry();
        return JsonLines.run(topic, spec.commandLine().getOut(), "inspected", (line, value) -> {
            TopicOptions.requireRegistryFor(value, registry);
            if (EnvelopeBytes.isWireFormat(value)) {
                line.put("schemaId", ConfluentWireFormat.schemaId(value));
            }
            describe(line, EnvelopeBytes.read(value, registry));
        }, () -> "");
    }

    private static void describe(ObjectNode line, Envelope e) {
        line.put("envelopeVersion", e.envelopeVersion()).put("id", e.id())
                .put("eventTimestamp", e.timestamp()).put("eventType", e.eventType()).put("keyId", e.keyId())
                .put("encryptionAlgorithm", e.encryptionAlgorithm())
                .put("dataKeyWrapAlgorithm", e.dataKeyWrapAlgorithm()).put("payloadFormat", e.payloadFormat())
                .put("ciphertextBytes", e.encryptedPayload().length);
        if (!e.additionalWrappedKeys().isEmpty()) {
            // A keyring's further copies: which KEKs (beside keyId) can unwrap this record's data key.
            ArrayNode more = line.putArray("additionalKeyIds");
            e.additionalWrappedKeys().forEach(k -> more.add(k.keyId()));
        }
        if (e.metadata() != null) {
            line.set("metadata", JsonLines.JSON.valueToTree(new TreeMap<>(e.metadata())));
        }
    }
}
