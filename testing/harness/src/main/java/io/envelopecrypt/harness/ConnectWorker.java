package io.envelopecrypt.harness;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One distributed Kafka Connect worker as a real JVM process, started from a plain worker classpath
 * ({@code connect-runtime} and friends, no plugin classes) with {@code plugin.path} pointing at the
 * unpacked plugin archive.
 */
public final class ConnectWorker implements AutoCloseable {
    private final String name;
    private final int restPort;
    private final int jmxPort = Ports.free();
    private final ManagedProcess process;

    ConnectWorker(String name, String classpath, Properties workerConfig, Map<String, String> env, Path workDir,
                  List<String> jvmOptions) throws IOException {
        this.name = name;
        this.restPort = Integer.parseInt(workerConfig.getProperty("rest.advertised.port"));
        Path config = workDir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            workerConfig.store(w, "Kafka Connect worker " + name);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        // JMX on loopback, for tests that read the plugin metrics the way an operator's agent would.
        cmd.add("-Dcom.sun.management.jmxremote.port=" + jmxPort);
        cmd.add("-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort);
        cmd.add("-Dcom.sun.management.jmxremote.host=127.0.0.1");
        cmd.add("-Djava.rmi.server.hostname=127.0.0.1");
        cmd.add("-Dcom.sun.management.jmxremote.authenticate=false");
        cmd.add("-Dcom.sun.management.jmxremote.ssl=false");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add("io.envelopecrypt.testconnectors.WorkerMain");
        cmd.add("org.apache.kafka.connect.cli.ConnectDistributed");
        cmd.add(config.toString());
        process = new ManagedProcess("connect-" + name, cmd, env, workDir.resolve("connect-" + name + ".log"));
    }

    public String name() {
        return name;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /** The worker's JMX service URL (loopback, no authentication: test use only). */
    public String jmxUrl() {
        return "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi";
    }

    public void start() {
        process.start();
    }

    public boolean isReady() {
        if (!process.isAlive()) {
            throw new IllegalStateException("worker " + name + " exited; see " + process.logFile());
        }
        try {
            return Http.get(restUrl() + "/").ok() && Http.get(restUrl() + "/connectors").ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    public void awaitReady(Duration timeout) {
        Wait.until("Connect worker " + name + " REST API", timeout, this::isReady);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A clean shutdown (SIGTERM). */
    public void stop() {
        process.stop(Duration.ofSeconds(30));
    }

    /** A crash (SIGKILL). */
    public void kill() {
        process.kill();
    }

    public Path logFile() {
        return process.logFile();
    }

    @Override
    public void close() {
        process.close();
    }
}
