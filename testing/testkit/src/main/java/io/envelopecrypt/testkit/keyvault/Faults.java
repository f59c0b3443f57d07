package io.envelopecrypt.testkit.keyvault;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Injected failures, as the emulators offer them: throttling (429 with Retry-After), server errors (500) and an
 * outage (503 on every request). They fire before authentication, and each one served is counted by status, so
 * a test can check that a fault it asked for really happened.
 */
final class Faults {
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger rejectNext = new AtomicInteger();
    private volatile boolean unavailable;
    private final Map<Integer, AtomicLong> served = new ConcurrentHashMap<>();

    void throttleNext(int n) {
        throttleNext.set(n);
    }

    void rejectNext(int n) {
        rejectNext.set(n);
    }

    void setUnavailable(boolean down) {
        unavailable = down;
    }

    int pendingThrottles() {
        return throttleNext.get();
    }

    int pendingRejections() {
        return rejectNext.get();
    }

    void reset() {
        throttleNext.set(0);
        rejectNext.set(0);
        unavailable = false;
    }

    long served(int status) {
        AtomicLong n = served.get(status);
        return n == null ? 0 : n.get();
    }

    /** Answers the request with a fault when one is due; controls are never faulted. */
    boolean inject(HttpExchange ex) throws IOException {
        if (ex.getRequestURI().getPath().startsWith("/_emulator/")) {
            return false;
        }
        if (unavailable) {
            count(503);
            Exchanges.error(ex, 503, "ServiceUnavailable", "The service is unavailable (test double outage).");
            return true;
        }
        if (throttleNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            count(429);
            ex.getResponseHeaders().add("Retry-After", "1");
            Exchanges.error(ex, 429, "Throttled", "Rate limit exceeded (test double).");
            return true;
        }
        if (rejectNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            count(500);
            Exchanges.error(ex, 500, "InternalServerError", "Injected failure (test double).");
            return true;
        }
        return false;
    }

    private void count(int status) {
        served.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }
}
