package io.envelopecrypt.demo;

import io.envelopecrypt.harness.RepoLayout;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A newcomer's first hour, scripted (issue 16): {@code ./demo.sh --keep-running} in the background as the README
 * says, the CLI commands it prints pasted as printed, then Ctrl-C (SIGINT); and Ctrl-C at two earlier moments.
 * Every run must stop cleanly: exit code 130, "Everything stopped", no error or stack trace on the terminal, and no
 * process, stack folder or broker folder left behind. In CI this runs in the CI's fresh clone, after its build, so
 * demo.sh must not rebuild either.
 */
class NewcomerRunIT {
    private static final Duration STARTUP = Duration.ofMinutes(5);
    private static final Pattern STACK_FOLDER = Pattern.compile("stack folder\\s+(\\S+)");

    private final Path root = RepoLayout.find().root();

    @Test
    void keepRunningThenThePrintedCliCommandsThenCtrlC() throws Exception {
        try (Run run = Run.start(root, "--keep-running", "--records", "200", "--rate", "400", "--no-color")) {
            keepRunningThenCli(run);
        }
    }

    private void keepRunningThenCli(Run run) throws Exception {
        run.awaitOutput("Press Ctrl-C", STARTUP);
        String out = run.stdout();
        assertThat(out).doesNotContain("Building the plugin").as("no rebuild right after a build");
        assertThat(out).contains("reader settings").contains("demo-decrypt.properties");
        List<String> commands = out.lines().map(String::strip).filter(l -> l.startsWith("java -jar ")).toList();
        assertThat(commands).as(out).hasSize(2);
        for (String command : commands) {
            Path stdout = Files.createTempFile("cli", ".out");
            Path stderr = Files.createTempFile("cli", ".err");
            Process cli = new ProcessBuilder(command.split(" ")).directory(root.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            assertThat(cli.waitFor(120, TimeUnit.SECONDS)).as(command).isTrue();
            String cliOut = Files.readString(stdout);
            String cliErr = Files.readString(stderr);
            assertThat(cli.exitValue()).as(command + "\n" + cliErr).isZero();
            assertThat(cliOut.lines().filter(l -> l.startsWith("{"))).as(command).hasSize(3);
            assertThat(cliErr.lines().filter(l -> l.contains("INFO") || l.contains("WARN") && !l.contains("LOCAL KEY MODE")))
                    .as("the CLI is quiet without --verbose (but for the local key mode's warning)").isEmpty();
            if (command.contains(" decrypt ")) {
                assertThat(cliOut).as("decrypted values").contains("\"value\"").contains("\"paymentId\"");
            }
            Files.delete(stdout);
            Files.delete(stderr);
        }
        run.interruptAndCheckCleanExit();
    }

    @Test
    void ctrlCWhileTheStackStarts() throws Exception {
        try (Run run = Run.start(root, "--records", "200", "--no-color")) {
            run.awaitOutput("Starting Apicurio Registry", STARTUP); // the broker is up, the registry starting
            run.interruptAndCheckCleanExit();
        }
    }

    @Test
    void ctrlCWhileEventsStream() throws Exception {
        try (Run run = Run.start(root, "--records", "100000", "--rate", "200", "--no-color")) {
            run.awaitOutput("Streaming", STARTUP);
            Thread.sleep(3000);
            run.interruptAndCheckCleanExit();
        }
    }

    /** One ./demo.sh process, its output in files, and what existed before it started. */
    private record Run(Process process, Path stdoutFile, Path stderrFile, Set<String> brokerDirsBefore,
                       Set<String> stackDirsBefore, Path root) implements AutoCloseable {
        /** After a failed check: stop the demo anyway (Ctrl-C first, then by force), so no later test inherits it. */
        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }
        }

        static Run start(Path root, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of("bash", root.resolve("demo.sh").toString()));
            command.addAll(Arrays.asList(args));
            Path out = Files.createTempFile("demo", ".out");
            Path err = Files.createTempFile("demo", ".err");
            Set<String> broker = listing(Path.of(System.getProperty("java.io.tmpdir")), "kafka-");
            Set<String> stacks = listing(root.resolve("testing/target"), "stack-");
            Process p = new ProcessBuilder(command).directory(root.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Run(p, out, err, broker, stacks, root);
        }

        String stdout() throws IOException {
            return Files.readString(stdoutFile, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(stderrFile, StandardCharsets.UTF_8);
        }

        void awaitOutput(String text, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!stdout().contains(text)) {
                if (!process.isAlive()) {
                    throw new AssertionError("the demo ended before printing '" + text + "':\n" + stdout() + stderr());
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError("no '" + text + "' in time:\n" + stdout() + stderr());
                }
                Thread.sleep(200);
            }
        }

        /** Ctrl-C as a terminal sends it, then everything a clean stop promises. */
        void interruptAndCheckCleanExit() throws Exception {
            String folder = null;
            Matcher m = STACK_FOLDER.matcher(stdout());
            if (m.find()) {
                folder = m.group(1);
            }
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("SIGINT sent").isTrue();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the demo stopped within 2 minutes").isTrue();
            String out = stdout();
            String err = stderr();
            String all = out + err;
            System.out.println(all);
            assertThat(process.exitValue()).as(all).isEqualTo(130);
            assertThat(out).contains("Everything stopped");
            assertThat(all).as("nothing but the demo's own lines on the terminal").doesNotContain("ERROR")
                    .doesNotContain("FATAL").doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(listing(Path.of(System.getProperty("java.io.tmpdir")), "kafka-")).as("broker folders left behind")
                    .isSubsetOf(brokerDirsBefore);
            assertThat(listing(root.resolve("testing/target"), "stack-")).as("stack folders left behind")
                    .isSubsetOf(stackDirsBefore);
            Set<String> running = processesMentioning("testing/target/stack-");
            running.removeAll(Set.of(Long.toString(ProcessHandle.current().pid())));
            assertThat(running).as("processes of a stack left running").isEmpty();
            if (folder != null) {
                assertThat(Path.of(folder)).doesNotExist();
            }
            Files.deleteIfExists(stdoutFile);
            Files.deleteIfExists(stderrFile);
        }

        private static Set<String> listing(Path dir, String prefix) throws IOException {
            Set<String> out = new TreeSet<>();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).forEach(out::add);
                }
            }
            return out;
        }

        /** Pids of processes whose command line names a stack folder (workers and registries run from one). */
        private static Set<String> processesMentioning(String text) {
            Set<String> pids = new TreeSet<>();
            ProcessHandle.allProcesses().forEach(h -> h.info().commandLine().ifPresent(cl -> {
                if (cl.contains(text)) {
                    pids.add(Long.toString(h.pid()));
                }
            }));
            return pids;
        }
    }
}
