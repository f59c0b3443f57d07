package io.envelopecrypt.demo;

import java.io.PrintStream;

/** Terminal output for people: steps with timings, sections, fields, and a one-line progress display. */
final class Console {
    private final boolean color;
    private final PrintStream out = System.out;
    private final long start = System.nanoTime();
    private boolean inProgress;

    Console(boolean color) {
        this.color = color;
    }

    private String c(String code, String s) {
        return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    String bold(String s) {
        return c("1", s);
    }

    private String elapsed() {
        return String.format("%6.1fs", (System.nanoTime() - start) / 1e9);
    }

    synchronized void title(String s) {
        out.println();
        out.println(bold(s));
        out.println("=".repeat(s.length()));
    }

    synchronized void section(String s) {
        endProgress();
        out.println();
        out.println(c("1;36", "== " + s));
    }

    synchronized void step(String s) {
        endProgress();
        out.println(c("2", elapsed()) + "  " + c("32", "✓") + " " + s);
    }

    synchronized void line(String s) {
        endProgress();
        out.println(s);
    }

    synchronized void field(String name, String value) {
        endProgress();
        out.printf("    %-20s %s%n", name, value);
    }

    synchronized void warn(String s) {
        endProgress();
        out.println(c("1;33", "!! " + s));
    }

    synchronized void error(String s) {
        endProgress();
        out.println(c("1;31", "xx " + s));
    }

    boolean isInteractive() {
        return color;
    }

    synchronized void progress(String s) {
        if (color) {
            out.print("\r" + c("2", elapsed()) + "  " + s + "   ");
            inProgress = true;
        } else {
            out.println(elapsed() + "  " + s);
        }
        out.flush();
    }

    synchronized void endProgress() {
        if (inProgress) {
            out.println();
            inProgress = false;
        }
    }
}
