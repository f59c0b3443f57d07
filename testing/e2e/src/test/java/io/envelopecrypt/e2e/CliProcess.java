package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.RepoLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A process run to completion, its output captured in files under a work folder: the packaged CLI, pytest. */
record CliProcess(int exit, String stdout, String stderr) {

    /** The packaged CLI, run as a user runs it: {@code java -jar}. */
    static CliProcess envelopecrypt(Path work, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", RepoLayout.find().cliJar().toString()));
        command.addAll(List.of(args));
        return run(work, work, command, Map.of(), 180);
    }

    static CliProcess run(Path work, Path dir, List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command.get(command.size() > 3 ? 3 : 0));
        }
        return new CliProcess(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
