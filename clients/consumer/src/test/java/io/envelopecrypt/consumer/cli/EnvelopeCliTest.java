package io.envelopecrypt.consumer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Usage and settings errors end with exit code 2 and a message naming the problem, before any connection. */
class EnvelopeCliTest {
    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(EnvelopeCli.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void missingOptionsAndUnknownCommandsAreUsageErrors() {
        assertThat(run().exit()).isEqualTo(EnvelopeCli.EXIT_USAGE);
        assertThat(run("decrypt", "-b", "localhost:9092", "-t", "t").exit()).isEqualTo(EnvelopeCli.EXIT_USAGE);
        assertThat(run("encrypt").exit()).isEqualTo(EnvelopeCli.EXIT_USAGE);
        assertThat(run("--version").exit()).isEqualTo(EnvelopeCli.EXIT_OK);
    }

    @Test
    void anUnreadableOrInvalidKeyFileIsASettingsErrorThatNamesTheFileAndKey() throws IOException {
        Run missing = run("decrypt", "-b", "localhost:1", "-t", "t", "-r", "http://localhost:1",
                "-k", dir.resolve("absent.properties").toString());
        assertThat(missing.exit()).isEqualTo(EnvelopeCli.EXIT_USAGE);
        assertThat(missing.err()).contains("absent.properties");

        Path bad = Files.writeString(dir.resolve("bad.properties"), "kek.provider=vault-of-my-own\n");
        Run invalid = run("decrypt", "-b", "localhost:1", "-t", "t", "-r", "http://localhost:1", "-k", bad.toString());
        assertThat(invalid.exit()).isEqualTo(EnvelopeCli.EXIT_USAGE);
        assertThat(invalid.err()).contains("kek.provider").contains("bad.properties");
    }

    @Test
    void rewrapNeedsAKeyThatCanWrap() throws IOException {
        Path unwrapOnly = Files.writeString(dir.resolve("to.properties"),
                "kek.provider=azure-keyvault\nazure.keyvault.url=https://example.vault.azure.net\n");
        Path local = Files.writeString(dir.resolve("from.properties"),
                "kek.provider=local\nlocal.key=ZTJlLWxvY2FsLWRldmVsb3BtZW50LWtleS0zMmJ5dGU=\nlocal.key.name=dev\n");
        Run run = run("rewrap", "-b", "localhost:1", "-t", "t", "--to-topic", "t2", "-r", "http://localhost:1",
                "--from-kek", local.toString(), "--to-kek", unwrapOnly.toString());
        assertThat(run.exit()).isEqualTo(EnvelopeCli.EXIT_USAGE);
        assertThat(run.err()).contains("azure.keyvault.key.name");
    }
}
