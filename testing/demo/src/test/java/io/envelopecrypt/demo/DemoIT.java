package io.envelopecrypt.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the demo the way ./demo.sh does (same main class and options), checking what it prints and that it
 * stops everything it started. The keyvault-double run also exercises the Azure connector-configs files
 * for real, with a managed identity for encryption and a service principal for decryption.
 */
class DemoIT {

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = new Demo(Demo.Options.parse(args)).run();
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(status).as(output).isZero();
        return output;
    }

    @Test
    void localKeyMode() {
        String out = run("--records", "300", "--no-color");
        assertThat(out).contains("LOCAL KEY MODE IS FOR DEVELOPMENT ONLY")
                .contains("Created connector 'payments-source-local-dev' from connector-configs/source-encrypt-local-dev.json")
                .contains("Created connector 'payments-sink-local-dev' from connector-configs/sink-decrypt-local-dev.json")
                .contains("wire format: magic byte 0")
                .contains("keyId                local:dev/")
                .contains("encryptionAlgorithm  AES-256-GCM")
                .contains("schema com.example.payments.Payment v3")
                .contains("300 produced, 300 encrypted in Kafka, 300 decrypted at the sink")
                .contains("Everything stopped");
        assertThat(out.substring(out.indexOf("== What Kafka holds"), out.indexOf("== What the sink received")))
                .as("the envelope section shows no plaintext").doesNotContain("@example.org").doesNotContain("Lovelace");
    }

    @Test
    void keyVaultTestDoubleWithManagedIdentity() {
        String out = run("--records", "200", "--kms", "keyvault-double", "--no-color");
        assertThat(out).contains("source-encrypt-azure-apicurio-avro.json").contains("sink-decrypt-azure.json")
                .contains("/keys/payments-kek/").contains("RSA-OAEP-256")
                .as("Key Vault served reads and unwraps (counts, not the fixed description)")
                .containsPattern("keys/get=[1-9]").containsPattern("keys/unwrapkey=[1-9]")
                .contains("200 produced, 200 encrypted in Kafka, 200 decrypted at the sink")
                .contains("Everything stopped");
    }

    @Test
    void badOptionsAreExplained() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Demo.Options.parse(new String[] {"--kms", "vault"}))
                .hasMessageContaining("--kms must be local, keyvault-double, emulators or azure");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Demo.Options.parse(new String[] {"--records", "-5"}))
                .hasMessageContaining("positive");
    }
}
