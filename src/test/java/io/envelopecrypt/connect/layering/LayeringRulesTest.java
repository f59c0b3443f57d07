package io.envelopecrypt.connect.layering;

import com.puppycrawl.tools.checkstyle.Checker;
import com.puppycrawl.tools.checkstyle.ConfigurationLoader;
import com.puppycrawl.tools.checkstyle.PropertiesExpander;
import com.puppycrawl.tools.checkstyle.api.AuditEvent;
import com.puppycrawl.tools.checkstyle.api.AuditListener;
import com.puppycrawl.tools.checkstyle.api.CheckstyleException;
import com.puppycrawl.tools.checkstyle.api.Configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's layering check (checkstyle/import-control.xml, run by {@code mvn verify}) refuses imports against
 * the layering and accepts the ones it allows. Here it runs on small sources written for the purpose, so a rule
 * that becomes permissive by mistake fails this test, not only a later review.
 */
class LayeringRulesTest {
    private static final Path CHECKSTYLE = Path.of("checkstyle");

    @TempDir
    Path dir;

    @Test
    void importsAgainstTheLayeringAreRefused() throws Exception {
        List<String> violations = check(
                source("connect.crypto", "io.envelopecrypt.connect.transforms.EncryptPayload"),
                source("connect.kms", "io.envelopecrypt.connect.kms.azure.AzureKeyVaultKeyProvider"),
                source("connect.payload", "io.envelopecrypt.connect.crypto.AesGcmKey"),
                source("connect.envelope", "io.envelopecrypt.connect.engine.EnvelopeDecryptor"),
                source("connect.engine", "io.envelopecrypt.connect.transforms.EncryptPayload"),
                source("connect.engine", "io.envelopecrypt.connect.metrics.TransformCounters"),
                source("connect.kms.local", "io.envelopecrypt.connect.kms.azure.KeyVaultKeyId"),
                source("connect.kms.local", "com.azure.core.credential.TokenCredential"),
                source("connect.transforms", "io.envelopecrypt.connect.crypto.AesGcmKey"),
                source("connect.transforms", "io.envelopecrypt.connect.payload.PayloadCodec"),
                source("consumer", "io.envelopecrypt.connect.transforms.DecryptPayloadConfig"),
                source("consumer", "io.envelopecrypt.connect.crypto.UnwrappedKeyCache"),
                source("consumer", "io.envelopecrypt.connect.kms.local.LocalKekConfig"));
        assertThat(violations).hasSize(13).allSatisfy(v -> assertThat(v).contains("Disallowed import"));
    }

    @Test
    void importsAlongTheLayeringAreAccepted() throws Exception {
        List<String> violations = check(
                source("connect.transforms", "io.envelopecrypt.connect.engine.EnvelopeEncryptor"),
                source("connect.transforms", "io.envelopecrypt.connect.kms.KmsAccessException"),
                source("connect.engine", "io.envelopecrypt.connect.kms.azure.AzureKeyVaultProviderFactory"),
                source("connect.engine", "io.envelopecrypt.connect.crypto.DataKeyManager"),
                source("connect.envelope", "io.envelopecrypt.connect.payload.PayloadCodec"),
                source("connect.crypto", "io.envelopecrypt.connect.kms.KmsAccessException.Reason"),
                source("connect.kms.azure", "io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider"),
                source("consumer", "io.envelopecrypt.connect.engine.EnvelopeDecryptor"),
                source("consumer", "io.envelopecrypt.connect.envelope.Envelope"));
        assertThat(violations).isEmpty();
    }

    private File source(String subpackage, String imported) throws IOException {
        String pkg = "io.envelopecrypt." + subpackage;
        Path file = dir.resolve("src/main/java").resolve(pkg.replace('.', '/'))
                .resolve("Probe" + Math.abs((subpackage + imported).hashCode()) + ".java");
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString().replace(".java", "");
        String simple = imported.substring(imported.lastIndexOf('.') + 1);
        Files.writeString(file, "package " + pkg + ";\n\nimport " + imported + ";\n\nclass " + name + " {\n    "
                + simple + " used;\n}\n", StandardCharsets.UTF_8);
        return file.toFile();
    }

    private static List<String> check(File... files) throws CheckstyleException {
        Properties props = new Properties();
        props.setProperty("importControlFile", CHECKSTYLE.resolve("import-control.xml").toAbsolutePath().toString());
        Configuration config = ConfigurationLoader.loadConfiguration(
                CHECKSTYLE.resolve("checkstyle.xml").toAbsolutePath().toString(), new PropertiesExpander(props));
        List<String> violations = new ArrayList<>();
        Checker checker = new Checker();
        try {
            checker.setModuleClassLoader(Checker.class.getClassLoader());
            checker.configure(config);
            checker.addListener(new AuditListener() {
                @Override
                public void addError(AuditEvent event) {
                    violations.add(event.getFileName() + ": " + event.getMessage());
                }

                @Override
                public void addException(AuditEvent event, Throwable throwable) {
                    violations.add(event.getFileName() + ": " + throwable);
                }

                @Override
                public void auditStarted(AuditEvent event) {
                }

                @Override
                public void auditFinished(AuditEvent event) {
                }

                @Override
                public void fileStarted(AuditEvent event) {
                }

                @Override
                public void fileFinished(AuditEvent event) {
                }
            });
            checker.process(List.of(files));
        } finally {
            checker.destroy();
        }
        return violations;
    }
}
