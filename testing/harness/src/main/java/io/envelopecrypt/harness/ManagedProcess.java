package io.envelopecrypt.harness;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM with its output in a log file. Its standard input stays open as a lifeline: children started
 * through {@code WorkerMain} exit when it closes, so nothing outlives a killed parent.
 */
public final class ManagedProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagedProcess.class);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private Process process;
    private OutputStream lifeline;

    public ManagedProcess(String name, List<String> command, Map<String, String> environment, Path logFile) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.logFile = logFile;
    }

    public synchronized void start() {
        if (isAlive()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(inOwnSession(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(environment);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
        lifeline = process.getOutputStream();
        ProcessRegistry.register(this);
        log.info("started {} (pid {}), log {}", name, process.pid(), logFile);
    }

    /**
     * The command run through setsid where there is one: a Ctrl-C in the terminal then reaches only the demo or test
     * JVM, which stops its children in order (workers, then the registry, then the broker), instead of every process
     * at once. setsid execs the command, so the pid and the signals sent to it stay the child's own.
     */
    private static List<String> inOwnSession(List<String> command) {
        java.nio.file.Path setsid = java.nio.file.Path.of("/usr/bin/setsid");
        if (!java.nio.file.Files.isExecutable(setsid)) {
            return command;
        }
        List<String> wrapped = new java.util.ArrayList<>(command.size() + 1);
        wrapped.add(setsid.toString());
        wrapped.addAll(command);
        return wrapped;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** SIGTERM, then SIGKILL if it has not stopped within the timeout. */
    public synchronized void stop(Duration timeout) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} did not stop within {}; killing it", name, timeout);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        closeLifeline();
    }

    /** SIGKILL: the process gets no chance to clean up, as when a machine dies. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeLifeline();
    }

    private void closeLifeline() {
        try {
            if (lifeline != null) {
                lifeline.close();
            }
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
        ProcessRegistry.unregister(this);
    }

    /** Stops every child on JVM exit, including Ctrl-C of the demo. */
    static final class ProcessRegistry {
        private static final java.util.Set<ManagedProcess> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (ManagedProcess p : LIVE) {
                    if (p.process != null) {
                        p.process.destroy();
                    }
                }
                for (ManagedProcess p : LIVE) {
                    try {
                        if (p.process != null && !p.process.waitFor(15, TimeUnit.SECONDS)) {
                            p.process.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        p.process.destroyForcibly();
                    }
                }
            }, "stop-child-processes"));
        }

        static void register(ManagedProcess p) {
            LIVE.add(p);
        }

        static void unregister(ManagedProcess p) {
            LIVE.remove(p);
        }
    }
}
