package io.envelopecrypt.connect;

import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks the archive that users drop into plugin.path, as built by {@code mvn package}. */
class PluginArchiveIT {
    static final String VERSION = System.getProperty("project.version");
    static final Path ARCHIVE = Path.of("target", "kafka-connect-envelope-encryption-" + VERSION + ".zip");
    static final String ROOT = "envelopecrypt-kafka-connect-envelope-encryption-" + VERSION + "/";

    @TempDir
    static Path unpacked;

    @BeforeAll
    static void unpack() throws IOException {
        assertThat(ARCHIVE).exists();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(ARCHIVE))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                Path target = unpacked.resolve(e.getName()).normalize();
                assertThat(target.startsWith(unpacked)).as("zip entry stays inside the directory").isTrue();
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
    }

    @Test
    void isOneDirectoryLaidOutAsAConfluentHubComponent() throws IOException {
        try (ZipFile zip = new ZipFile(ARCHIVE.toFile())) {
            zip.stream().forEach(e -> assertThat(e.getName()).startsWith(ROOT));
        }
        Path root = unpacked.resolve(ROOT);
        assertThat(root.resolve("manifest.json")).exists();
        assertThat(root.resolve("doc/README.md")).exists();
        assertThat(root.resolve("doc/LICENSE")).exists();
        assertThat(root.resolve("etc")).isDirectory();
        String manifest = Files.readString(root.resolve("manifest.json"));
        assertThat(manifest).contains("\"componentTypes\": [\"transform\"]").contains("\"version\": \"" + VERSION + "\"");
        assertThat(root.resolve("lib/kafka-connect-envelope-encryption-" + VERSION + ".jar")).exists();
    }

    @Test
    void bundlesNoKafkaNoSlf4jNoCompressionCodecsAndNoLoggingBackend() throws IOException {
        List<String> offending = new ArrayList<>();
        for (Path jar : libJars()) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith("org/apache/kafka/") || name.startsWith("org/slf4j/")
                            || name.startsWith("com/github/luben/zstd/") || name.startsWith("net/jpountz/")
                            || name.startsWith("org/xerial/snappy/")
                            || name.startsWith("ch/qos/logback/") || name.startsWith("org/apache/log4j/")
                            || name.startsWith("org/apache/logging/log4j/core/")) {
                        offending.add(jar.getFileName() + "!" + name);
                        break;
                    }
                }
            }
        }
        assertThat(offending).isEmpty();
        long bytes = 0;
        for (Path jar : libJars()) {
            bytes += Files.size(jar);
        }
        System.out.printf("plugin archive: %d jars, %.1f MB unpacked, %.1f MB zipped%n", libJars().size(),
                bytes / 1e6, Files.size(ARCHIVE) / 1e6);
    }

    @Test
    void thePluginJarListsBothTransformsForServiceLoaderDiscovery() throws IOException {
        Path jar = unpacked.resolve(ROOT + "lib/kafka-connect-envelope-encryption-" + VERSION + ".jar");
        try (ZipFile zip = new ZipFile(jar.toFile());
             InputStream in = zip.getInputStream(zip.getEntry("META-INF/services/org.apache.kafka.connect.transforms.Transformation"))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines())
                    .containsExactlyInAnyOrder("io.envelopecrypt.connect.transforms.EncryptPayload",
                            "io.envelopecrypt.connect.transforms.DecryptPayload",
                            "io.envelopecrypt.connect.transforms.compat.EncryptPayload",
                            "io.envelopecrypt.connect.transforms.compat.DecryptPayload");
        }
    }

    /** Loads the transforms from lib/ alone (Kafka from the "worker"), so a missing dependency fails here. */
    @Test
    @SuppressWarnings("unchecked")
    void theLibDirectoryIsSelfSufficient() throws Exception {
        List<Path> jars = libJars();
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        try (URLClassLoader plugin = new IsolatingLoader(urls, getClass().getClassLoader())) {
            Transformation<SourceRecord> encrypt = (Transformation<SourceRecord>) plugin
                    .loadClass("io.envelopecrypt.connect.transforms.EncryptPayload").getDeclaredConstructor().newInstance();
            Transformation<SourceRecord> decrypt = (Transformation<SourceRecord>) plugin
                    .loadClass("io.envelopecrypt.connect.transforms.DecryptPayload").getDeclaredConstructor().newInstance();
            assertThat(encrypt.getClass().getClassLoader()).isSameAs(plugin);
            encrypt.configure(TestKeys.localConfig());
            decrypt.configure(TestKeys.localConfig());
            SourceRecord in = new SourceRecord(Map.of(), Map.of(), "t", 0, Schema.STRING_SCHEMA, "secret value");
            assertThat(decrypt.apply(encrypt.apply(in)).value()).isEqualTo("secret value");
            // Every payload.compression codec resolves from the worker's kafka-clients dependencies.
            for (String codec : List.of("zstd", "lz4", "snappy")) {
                Transformation<SourceRecord> compressing = (Transformation<SourceRecord>) plugin
                        .loadClass("io.envelopecrypt.connect.transforms.EncryptPayload").getDeclaredConstructor().newInstance();
                compressing.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "payload.compression", codec));
                assertThat(decrypt.apply(compressing.apply(in)).value()).as(codec).isEqualTo("secret value");
                compressing.close();
            }
            // The Azure provider's classes (SDK, identity, HTTP client) must resolve from lib/ too.
            Transformation<SourceRecord> azure = (Transformation<SourceRecord>) plugin
                    .loadClass("io.envelopecrypt.connect.transforms.DecryptPayload").getDeclaredConstructor().newInstance();
            azure.configure(Map.of("kek.provider", "azure-keyvault", "azure.keyvault.url", "https://example.vault.azure.net/",
                    "azure.keyvault.key.name", "payments-kek"));
            azure.close();
            encrypt.close();
            decrypt.close();
        }
    }

    private static List<Path> libJars() throws IOException {
        try (Stream<Path> files = Files.list(unpacked.resolve(ROOT + "lib"))) {
            return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    /**
     * Like a Connect plugin loader: Kafka, slf4j, the compression codecs kafka-clients brings and the JDK from the
     * parent, everything else only from lib/.
     */
    static final class IsolatingLoader extends URLClassLoader {
        private final ClassLoader worker;

        IsolatingLoader(URL[] urls, ClassLoader worker) {
            super(urls, ClassLoader.getPlatformClassLoader());
            this.worker = worker;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.apache.kafka.") || name.startsWith("org.slf4j.") || name.startsWith("com.github.luben.zstd.")
                    || name.startsWith("net.jpountz.") || name.startsWith("org.xerial.snappy.")) {
                return worker.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
