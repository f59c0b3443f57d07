package io.envelopecrypt.harness;

import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The whole embedded stack: a KRaft broker (this JVM), Apicurio Registry (a process), the Key Vault test
 * double (this JVM) and any number of Connect clusters (worker processes). The plugin is installed the
 * way users install it: the built zip is unpacked into a fresh {@code plugin.path} directory.
 */
public final class Stack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Stack.class);

    private final RepoLayout layout;
    private final Path workDir;
    private final Path pluginPath;
    private volatile boolean keepWorkDir;
    private final Consumer<String> progress;
    private KafkaBroker broker;
    private SchemaRegistry registry;
    private KeyVaultTestDouble keyVault;
    private final List<ConnectCluster> clusters = new ArrayList<>();

    private Stack(Consumer<String> progress) throws IOException {
        this.layout = RepoLayout.find();
        this.progress = progress;
        Path base = layout.root().resolve("testing/target");
        Files.createDirectories(base);
        this.workDir = Files.createTempDirectory(base, "stack-");
        this.pluginPath = workDir.resolve("plugins");
        this.keepWorkDir = Boolean.getBoolean("envelopecrypt.keep.work");
        installPlugins();
    }

    /** A stack with nothing started yet; start the parts you need. */
    public static Stack create(Consumer<String> progress) {
        try {
            return new Stack(progress);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the stack's work directory", e);
        }
    }

    private void installPlugins() throws IOException {
        Files.createDirectories(pluginPath);
        Path archive = layout.pluginArchive();
        progress.accept("Installing " + archive.getFileName() + " into plugin.path " + pluginPath);
        unzip(archive, pluginPath);
        Path converter = pluginPath.resolve("apicurio-avro-converter");
        Files.createDirectories(converter);
        try (var jars = Files.list(layout.apicurioConverterPlugin())) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, converter.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void unzip(Path zip, Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path out = target.resolve(e.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public Stack startBroker() {
        progress.accept("Starting Kafka broker (KRaft)");
        broker = new KafkaBroker(layout, workDir).start();
        progress.accept("Kafka broker ready at " + broker.bootstrapServers());
        return this;
    }

    public Stack startRegistry() {
        progress.accept("Starting Apicurio Registry 3 (Confluent-compatible API)");
        registry = new SchemaRegistry(layout, workDir).start();
        progress.accept("Schema registry ready at " + registry.ccompatUrl());
        return this;
    }

    public Stack startKeyVault() {
        progress.accept("Starting the Key Vault and Entra test double");
        keyVault = KeyVaultTestDouble.start();
        progress.accept("Key Vault test double at " + keyVault.vaultUrl() + ", Entra at " + keyVault.authorityHost());
        return this;
    }

    public ConnectCluster startConnect(ConnectCluster.Options options) {
        progress.accept("Starting " + options.workers + " Kafka Connect " + options.kafkaLine + " worker(s)");
        try {
            ConnectCluster c = ConnectCluster.start(layout, broker.bootstrapServers(), pluginPath, workDir, options);
            clusters.add(c);
            progress.accept("Connect cluster '" + options.groupId + "' ready at " + c.restUrl());
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Connect", e);
        }
    }

    public KafkaBroker broker() {
        return broker;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    public KeyVaultTestDouble keyVault() {
        return keyVault;
    }

    public RepoLayout layout() {
        return layout;
    }

    public Path workDir() {
        return workDir;
    }

    public Path pluginPath() {
        return pluginPath;
    }

    /** Writes the Key Vault test double's CA certificate where workers can read it. */
    public Path keyVaultCaFile() {
        Path pem = workDir.resolve("keyvault-ca.pem");
        try {
            if (!Files.exists(pem)) {
                keyVault.writeCaCertificate(pem);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return pem;
    }

    /** Keeps the work directory (logs, data) when the stack closes, e.g. after a failure whose logs were pointed to. */
    public void keepWorkDir() {
        keepWorkDir = true;
    }

    @Override
    public void close() {
        for (ConnectCluster c : clusters) {
            safely(c::close);
        }
        if (registry != null) {
            safely(registry::close);
        }
        if (broker != null) {
            safely(broker::close);
        }
        if (keyVault != null) {
            safely(keyVault::close);
        }
        if (!keepWorkDir) {
            deleteRecursively(workDir);
        } else {
            log.info("kept the stack's work directory {}", workDir);
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("error while stopping part of the stack", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("could not delete {}", dir, e);
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
