package io.envelopecrypt.consumer.cli;

import java.io.PrintStream;

/** Prints a progress line to stderr every few seconds, so long runs show they are alive. */
final class Progress {
    private static final long EVERY_NANOS = 5_000_000_000L;

    private final PrintStream err;
    private final String verb;
    private final long start = System.nanoTime();
    private long lastReport = start;
    long records;
    long failed;

    Progress(PrintStream err, String verb) {
        this.err = err;
        this.verb = verb;
    }

    void tick() {
        records++;
        long now = System.nanoTime();
        if (now - lastReport >= EVERY_NANOS) {
            lastReport = now;
            err.printf("... %s %,d records (%,.0f/s), %,d failed%n", verb, records, rate(now), failed);
        }
    }

    void summary(String topic, String extra) {
        long now = System.nanoTime();
        err.printf("%s %,d records from %s in %.1f s (%,.0f/s), %,d failed%s%n", capitalized(), records, topic,
                (now - start) / 1e9, rate(now), failed, extra);
    }

    private double rate(long now) {
        return records / Math.max((now - start) / 1e9, 1e-3);
    }

    private String capitalized() {
        return Character.toUpperCase(verb.charAt(0)) + verb.substring(1);
    }
}
