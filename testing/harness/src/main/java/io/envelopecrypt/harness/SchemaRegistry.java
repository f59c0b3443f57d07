package io.envelopecrypt.harness;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Apicurio Registry 3 (a Quarkus app, Java 21+) as a child process, in-memory storage, serving the
 * Confluent-compatible API at {@code /apis/ccompat/v7}.
 */
public final class SchemaRegistry implements AutoCloseable {
    private final int port = Ports.free();
    private final Map<Integer, String> schemasById = new java.util.concurrent.ConcurrentHashMap<>();
    private final ManagedProcess process;

    public SchemaRegistry(RepoLayout layout, Path workDir) {
        Path home = layout.apicurioRegistry();
        List<String> cmd = new ArrayList<>(List.of(java21().toString(), "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + Ports.free(), "-Dquarkus.log.level=WARN",
                "-Dquarkus.http.access-log.enabled=false",
                "-jar", home.resolve("quarkus-run.jar").toString()));
        process = new ManagedProcess("apicurio-registry", cmd, Map.of(), workDir.resolve("apicurio-registry.log"));
    }

    public SchemaRegistry start() {
        process.start();
        Wait.until("Apicurio Registry at " + url(), Duration.ofSeconds(120), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited; see " + process.logFile());
            }
            try {
                return Http.get(ccompatUrl() + "/subjects").ok();
            } catch (RuntimeException e) {
                return false;
            }
        });
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The Confluent-compatible API, what Confluent's AvroConverter would be pointed at. */
    public String ccompatUrl() {
        return url() + "/apis/ccompat/v7";
    }

    /** Settings for Apicurio's AvroConverter that make it write the Confluent wire format. */
    public Map<String, String> avroConverterConfig(String prefix) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(prefix, "io.apicurio.registry.utils.converter.AvroConverter");
        c.put(prefix + ".apicurio.registry.url", url() + "/apis/registry/v2");
        c.put(prefix + ".apicurio.registry.auto-register", "true");
        c.put(prefix + ".apicurio.registry.headers.enabled", "false");
        // The Confluent wire format (a 4-byte id). Set as the handler itself: "as-confluent" on top of the default
        // handler makes the converter warn "Duplicate id-handler configuration" on every task start.
        c.put(prefix + ".apicurio.registry.id-handler", "io.apicurio.registry.serde.Legacy4ByteIdHandler");
        c.put(prefix + ".apicurio.registry.use-id", "contentId");
        return c;
    }

    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        Http.get(ccompatUrl() + "/subjects").body().forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The schema registered under an id, as Avro JSON (ids never change, so answers are cached). */
    public String schemaById(int id) {
        return schemasById.computeIfAbsent(id, i -> {
            Http.Response r = Http.get(ccompatUrl() + "/schemas/ids/" + i);
            if (!r.ok()) {
                throw new IllegalStateException("no schema with id " + i + ": HTTP " + r.status() + " " + r.raw());
            }
            return r.body().get("schema").asText();
        });
    }

    public JsonNode latestVersion(String subject) {
        return Http.get(ccompatUrl() + "/subjects/" + subject + "/versions/latest").body();
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }

    /** A Java 21+ runtime: $APICURIO_JAVA_HOME, then any JDK 21+ in /usr/lib/jvm, then this JVM if new enough. */
    static Path java21() {
        String env = System.getenv("APICURIO_JAVA_HOME");
        if (env != null && !env.isBlank()) {
            int version = majorVersion(Path.of(env));
            if (version < 21) {
                // Otherwise the registry dies at once and the start-up wait runs into its timeout without a word.
                throw new IllegalStateException("Apicurio Registry 3 needs Java 21 or later; APICURIO_JAVA_HOME points at "
                        + (version == 0 ? "no JDK with a readable 'release' file" : "Java " + version) + " (" + env + ")");
            }
            return Path.of(env, "bin", "java");
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                Path best = null;
                int bestVersion = 0;
                for (Path d : dirs.toList()) {
                    int v = majorVersion(d);
                    if (v >= 21 && v > bestVersion && Files.isExecutable(d.resolve("bin/java"))) {
                        best = d.resolve("bin/java");
                        bestVersion = v;
                    }
                }
                if (best != null) {
                    return best;
                }
            } catch (IOException ignored) {
                // fall through
            }
        }
        if (Runtime.version().feature() >= 21) {
            return Path.of(System.getProperty("java.home"), "bin", "java");
        }
        throw new IllegalStateException("Apicurio Registry 3 needs Java 21 or later: install one, or point "
                + "APICURIO_JAVA_HOME at it");
    }

    private static int majorVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
