package io.envelopecrypt.consumer.cli;

import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.consumer.Decrypted;
import io.envelopecrypt.consumer.TopicDecryptor;

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
            description = "Properties with DecryptPayload's key settings (kek.provider, azure.*, local.*).")
    Path kekConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        KeyEncryptionKeyProvider kek = KekFiles.provider(kekConfig, KeyEncryptionKeyProvider.KeyOperation.UNWRAP);
        try (TopicDecryptor decryptor = new TopicDecryptor(
                new EnvelopeDecryptor(kek, 10_000, 3_600_000L, Clock.systemUTC()), topic.registry())) {
            return JsonLines.run(topic, spec.commandLine().getOut(), "decrypted", (line, value) -> {
                Decrypted d = decryptor.decrypt(value);
                line.put("id", d.envelope().id()).put("keyId", d.envelope().keyId());
                line.set("value", JsonLines.JSON.readTree(d.toJson()));
            }, () -> String.format(", %,d data keys unwrapped", decryptor.unwraps()));
        }
    }
}
