package io.envelopecrypt.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A distributed Connect cluster of worker processes sharing one group, and its REST API. */
public final class ConnectCluster implements AutoCloseable {
    private final List<ConnectWorker> workers = new ArrayList<>();
    private final String groupId;

    private ConnectCluster(String groupId) {
        this.groupId = groupId;
    }

    /** Settings for starting a cluster. */
    public static final class Options {
        String kafkaLine = "4.4";
        int workers = 2;
        String groupId = "connect-cluster";
        Map<String, String> extraConfig = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        String maxHeap = "512m";
        String gc = "-XX:+UseSerialGC";
        List<String> jvmOptions = new ArrayList<>();
        boolean debugLogging;

        /** G1, the JVM's default collector, instead of the small-footprint serial one (for benchmarks). */
        public Options g1() {
            this.gc = "-XX:+UseG1GC";
            return this;
        }

        /** Extra JVM options for every worker, e.g. to start a flight recording. */
        public Options jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** DEBUG for every logger of the workers (for secret-hygiene checks). */
        public Options debugLogging() {
            this.debugLogging = true;
            return this;
        }

        public Options kafkaLine(String line) {
            this.kafkaLine = line;
            return this;
        }

        public Options workers(int n) {
            this.workers = n;
            return this;
        }

        public Options groupId(String id) {
            this.groupId = id;
            return this;
        }

        public Options config(String key, String value) {
            extraConfig.put(key, value);
            return this;
        }

        public Options env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Options maxHeap(String heap) {
            this.maxHeap = heap;
            return this;
        }
    }

    static ConnectCluster start(RepoLayout layout, String bootstrap, Path pluginPath, Path workDir, Options o)
            throws IOException {
        String classpath = Files.readString(layout.workerClasspathFile(o.kafkaLine)).trim()
                + java.io.File.pathSeparator + layout.testConnectorsJar();
        ConnectCluster cluster = new ConnectCluster(o.groupId);
        for (int i = 0; i < o.workers; i++) {
            int port = Ports.free();
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrap);
            p.put("group.id", o.groupId);
            p.put("config.storage.topic", o.groupId + "-configs");
            p.put("offset.storage.topic", o.groupId + "-offsets");
            p.put("status.storage.topic", o.groupId + "-status");
            p.put("config.storage.replication.factor", "1");
            p.put("offset.storage.replication.factor", "1");
            p.put("status.storage.replication.factor", "1");
            p.put("offset.storage.partitions", "3");
            p.put("status.storage.partitions", "3");
            p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            p.put("listeners", "http://127.0.0.1:" + port);
            p.put("rest.advertised.host.name", "127.0.0.1");
            p.put("rest.advertised.port", String.valueOf(port));
            p.put("plugin.path", pluginPath.toString());
            // Apicurio's converter jar has no service manifest, so reflective scanning must stay on.
            p.put("plugin.discovery", "hybrid_warn");
            p.put("offset.flush.interval.ms", "1000");
            p.put("scheduled.rebalance.max.delay.ms", "5000");
            p.put("task.shutdown.graceful.timeout.ms", "10000");
            p.put("config.providers", "file,env");
            p.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
            p.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
            o.extraConfig.forEach(p::put);
            List<String> jvm = new ArrayList<>(List.of("-Xms128m", "-Xmx" + o.maxHeap, o.gc,
                    "-Dorg.slf4j.simpleLogger.showDateTime=true"));
            jvm.addAll(o.jvmOptions);
            if (o.debugLogging) {
                jvm.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug");
            } else {
                jvm.addAll(List.of("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn",
                        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config=warn",
                        "-Dorg.slf4j.simpleLogger.log.org.reflections=error",
                        "-Dorg.slf4j.simpleLogger.log.com.azure=warn"));
            }
            ConnectWorker w = new ConnectWorker(o.groupId + "-" + i, classpath, p, o.env, workDir, jvm);
            cluster.workers.add(w);
        }
        cluster.workers.forEach(ConnectWorker::start);
        try {
            for (ConnectWorker w : cluster.workers) {
                w.awaitReady(Duration.ofSeconds(180));
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public List<ConnectWorker> workers() {
        return workers;
    }

    public String groupId() {
        return groupId;
    }

    /** The REST URL of a live worker (any worker forwards to the leader). */
    public String restUrl() {
        for (ConnectWorker w : workers) {
            if (w.isAlive()) {
                return w.restUrl();
            }
        }
        throw new IllegalStateException("no live worker");
    }

    // ---------------------------------------------------------------- REST

    public void createConnector(String name, Map<String, String> config) {
        Http.Response r = Http.put(restUrl() + "/connectors/" + name + "/config", config);
        if (!r.ok()) {
            throw new IllegalStateException("creating connector " + name + " failed: HTTP " + r.status() + " " + r.raw());
        }
    }

    /** Submits a connector JSON file ({"name":..., "config":{...}}) after replacing placeholders. */
    public String createConnectorFromFile(Path json, Map<String, String> replacements) throws IOException {
        return createConnectorFromFile(json, replacements, Map.of());
    }

    /** As above, then sets (or, with a null value, removes) the given config keys. */
    public String createConnectorFromFile(Path json, Map<String, String> replacements, Map<String, String> overrides)
            throws IOException {
        JsonNode node = Http.JSON.readTree(substitute(Files.readString(json), replacements));
        Map<String, String> config = new LinkedHashMap<>();
        node.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        overrides.forEach((k, v) -> {
            if (v == null) {
                config.remove(k);
            } else {
                config.put(k, v);
            }
        });
        String name = node.get("name").asText();
        createConnector(name, config);
        return name;
    }

    public static String substitute(String text, Map<String, String> replacements) {
        String out = text;
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    public void deleteConnector(String name) {
        Http.delete(restUrl() + "/connectors/" + name);
        Wait.until("connector " + name + " to be deleted", Duration.ofSeconds(60),
                () -> Http.get(restUrl() + "/connectors/" + name).status() == 404);
    }

    /** A connector's current configuration. */
    public Map<String, String> config(String name) {
        Map<String, String> config = new LinkedHashMap<>();
        Http.get(restUrl() + "/connectors/" + name + "/config").body().fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    public JsonNode status(String name) {
        return Http.get(restUrl() + "/connectors/" + name + "/status").body();
    }

    /** Waits until the connector and {@code tasks} tasks are RUNNING. */
    public void awaitRunning(String name, int tasks, Duration timeout) {
        Wait.until("connector " + name + " with " + tasks + " running task(s)", timeout, () -> {
            JsonNode s = status(name);
            if (s == null || s.get("connector") == null) {
                return false;
            }
            if (failed(s)) {
                throw new IllegalStateException("connector " + name + " failed: " + s);
            }
            int running = 0;
            for (JsonNode t : s.path("tasks")) {
                if ("RUNNING".equals(t.path("state").asText())) {
                    running++;
                }
            }
            return "RUNNING".equals(s.get("connector").path("state").asText()) && running == tasks;
        }, () -> String.valueOf(status(name)));
    }

    private static boolean failed(JsonNode status) {
        if ("FAILED".equals(status.path("connector").path("state").asText())) {
            return true;
        }
        for (JsonNode t : status.path("tasks")) {
            if ("FAILED".equals(t.path("state").asText())) {
                return true;
            }
        }
        return false;
    }

    public void restartTask(String name, int task) {
        Http.Response r = Http.post(restUrl() + "/connectors/" + name + "/tasks/" + task + "/restart", "");
        if (!r.ok()) {
            throw new IllegalStateException("restart failed: HTTP " + r.status() + " " + r.raw());
        }
    }

    /** {@code PUT /connector-plugins/{plugin}/config/validate}. */
    public JsonNode validate(String connectorClass, Map<String, String> config) {
        Map<String, String> body = new LinkedHashMap<>(config);
        body.putIfAbsent("connector.class", connectorClass);
        body.putIfAbsent("name", "validation-only");
        String simple = connectorClass.substring(connectorClass.lastIndexOf('.') + 1);
        Http.Response r = Http.put(restUrl() + "/connector-plugins/" + simple + "/config/validate", body);
        if (!r.ok()) {
            throw new IllegalStateException("validate failed: HTTP " + r.status() + " " + r.raw());
        }
        return r.body();
    }

    /** Errors per key from a validation response (only keys with errors). */
    public static Map<String, List<String>> validationErrors(JsonNode validation) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (JsonNode c : validation.path("configs")) {
            JsonNode v = c.path("value");
            List<String> messages = new ArrayList<>();
            v.path("errors").forEach(e -> messages.add(e.asText()));
            if (!messages.isEmpty()) {
                errors.put(v.path("name").asText(), messages);
            }
        }
        return errors;
    }

    public JsonNode plugins(boolean connectorsOnly) {
        return Http.get(restUrl() + "/connector-plugins?connectorsOnly=" + connectorsOnly).body();
    }

    public static ObjectNode object() {
        return Http.JSON.createObjectNode();
    }

    @Override
    public void close() {
        for (ConnectWorker w : workers) {
            w.close();
        }
    }
}
