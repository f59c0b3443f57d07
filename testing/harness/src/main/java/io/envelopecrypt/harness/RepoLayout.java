package io.envelopecrypt.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the build put what the stack runs: the plugin archive, worker classpaths, the Apicurio converter
 * and registry, the test connectors. Found from the repository root (the directory whose pom.xml is the
 * plugin's, next to build/pom.xml), or overridden with system properties.
 */
public final class RepoLayout {
    private final Path root;

    private RepoLayout(Path root) {
        this.root = root;
    }

    public static RepoLayout find() {
        String override = System.getProperty("envelopecrypt.repo.root");
        if (override != null) {
            return new RepoLayout(Path.of(override).toAbsolutePath());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.isRegularFile(p.resolve("build/pom.xml"))
                        && Files.readString(pom).contains("<artifactId>kafka-connect-envelope-encryption</artifactId>")) {
                    return new RepoLayout(p);
                }
            } catch (IOException ignored) {
                // keep looking upwards
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath()
                + "; run from the repository or set -Denvelopecrypt.repo.root");
    }

    public Path root() {
        return root;
    }

    /** The plugin archive built by {@code mvn package}. */
    public Path pluginArchive() {
        return newest(root.resolve("target"), "kafka-connect-envelope-encryption-", ".zip",
                "the plugin archive (run mvn -B -f build package -DskipTests first)");
    }

    public Path workerClasspathFile(String kafkaLine) {
        Path file = root.resolve("testing/connect-runtimes/kafka-" + kafkaLine + "/target/worker.classpath");
        return require(file, "the Kafka " + kafkaLine + " worker classpath (run mvn -B -f build package -DskipTests first)");
    }

    /** The classpath of a Kafka broker at the primary Kafka version (started as a process). */
    public Path brokerClasspathFile() {
        return require(root.resolve("testing/connect-runtimes/kafka-broker/target/broker.classpath"),
                "the Kafka broker classpath (run mvn -B -f build package -DskipTests first)");
    }

    public Path apicurioConverterPlugin() {
        return require(root.resolve("testing/connect-runtimes/apicurio-converter/target/plugin/apicurio-avro-converter"),
                "the Apicurio converter plugin directory (run mvn -B -f build package -DskipTests first)");
    }

    public Path apicurioRegistry() {
        return require(root.resolve("testing/connect-runtimes/apicurio-registry/target/apicurio-registry/quarkus-run.jar"),
                "the Apicurio Registry server (run mvn -B -f build package -DskipTests first)").getParent();
    }

    public Path testConnectorsJar() {
        return require(root.resolve("testing/connectors/target/envelopecrypt-test-connectors.jar"),
                "the test connectors jar (run mvn -B -f build package -DskipTests first)");
    }

    /** The envelopecrypt CLI, one runnable jar ({@code java -jar}). */
    public Path cliJar() {
        return newest(root.resolve("clients/consumer/target"), "envelopecrypt-consumer-", "-cli.jar",
                "the envelopecrypt CLI (run mvn -B -f build package -DskipTests first)");
    }

    public Path connectorConfigs() {
        return root.resolve("connector-configs");
    }

    private static Path require(Path p, String what) {
        if (!Files.exists(p)) {
            throw new IllegalStateException("Missing " + what + ": " + p);
        }
        return p;
    }

    private static Path newest(Path dir, String prefix, String suffix, String what) {
        try (Stream<Path> files = Files.list(require(dir, what))) {
            List<Path> matches = files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(suffix) && !n.contains("-sources") && !n.contains("-tests");
            }).sorted(Comparator.comparing(f -> f.toFile().lastModified())).toList();
            if (matches.isEmpty()) {
                throw new IllegalStateException("Missing " + what + " in " + dir);
            }
            return matches.get(matches.size() - 1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }
}
