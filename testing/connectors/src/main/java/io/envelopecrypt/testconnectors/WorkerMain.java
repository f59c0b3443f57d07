package io.envelopecrypt.testconnectors;

import java.io.IOException;
import java.io.InputStream;

/**
 * Starts a Connect worker (the class named by the first argument, e.g.
 * {@code org.apache.kafka.connect.cli.ConnectDistributed}) and exits when the process that launched it
 * closes our standard input, so that a test or demo killed hard leaves no worker behind.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() != -1) {
                    // the parent never writes; EOF means it has gone
                }
            } catch (IOException ignored) {
                // treat as gone
            }
            System.err.println("WorkerMain: parent process has gone; stopping the worker");
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) rest);
    }
}
