package io.envelopecrypt.consumer.cli;

import io.envelopecrypt.connect.engine.DecryptorConfig;
import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.consumer.Decrypted;
import io.envelopecrypt.consumer.SchemaRegistryClient;
import io.envelopecrypt.consumer.TopicDecryptor;

import org.apache.kafka.common.config.ConfigException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/** Decrypts a topic and prints each record's original value as JSON, one object per line. */
@Command(name = "decrypt", mixinStandardHelpOptions = true,
        description = "Decrypt every record of a topic and print its original value as JSON lines "
                + "(plaintext on stdout: mind where it goes).")
final class DecryptCommand implements Callable<Integer> {
    @Mixin
    TopicOptions topic;

    @Option(names = {"-k", "--kek-config"}, required = true, paramLabel = "FILE",
            description = "Properties with DecryptPayload's key settings (kek.provider, azure.*, local.*, "
                    + "dek.cache.*, envelope.context).")
    Path kekConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        DecryptorConfig config = KekFiles.decryptorConfig(kekConfig);
        SchemaRegistryClient registry = topic.registry();
        EnvelopeDecryptor engine;
        try {
            // Payload schemas kept in a registry come from the key file's schema.registry.url, or else from --registry.
            engine = EnvelopeDecryptor.create(config, KekCallListener.NONE, Clock.systemUTC(),
                    registry == null ? null : registry::schemaText);
        } catch (ConfigException e) {
            throw new CliException(EnvelopeCli.EXIT_USAGE, kekConfig + ": " + e.getMessage());
        }
        try (TopicDecryptor decryptor = new TopicDecryptor(engine, registry)) {
            return JsonLines.run(topic, spec.commandLine().getOut(), "decrypted", (line, value) -> {
                TopicOptions.requireRegistryFor(value, registry);
                Decrypted d = decryptor.decrypt(topic.topic, value);
                line.put("id", d.envelope().id()).put("keyId", d.envelope().keyId());
                line.set("value", JsonLines.JSON.readTree(d.toJson()));
            }, () -> String.format(", %,d data keys unwrapped", decryptor.unwraps()));
        }
    }
}
