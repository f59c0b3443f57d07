package io.envelopecrypt.connect.crypto;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.WrappedKey;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a topic writer from turning records into key-service calls. Every distinct wrapped key costs an unwrap,
 * so random bytes in {@code wrappedDataKey} would cost one call each, burning the vault's shared quota and
 * stalling the sink on throttling. Two defences:
 * <ul>
 *   <li>a refused wrapped key (tampered, foreign, unknown key) is remembered (bounded, for a while) and refused
 *       again without a call; a KEK version the key service reported missing, disabled or expired is remembered
 *       as such, so every data key it wrapped (an erased tenant's, say) costs at most one call per
 *       {@link #REMEMBER_MILLIS} ({@link #REMEMBER_UNUSABLE_MILLIS} for a disabled one, which may be re-enabled);</li>
 *   <li>refusals of keys not seen before draw on a budget ({@code failuresPerMinute}, also the burst); while it
 *       is empty, unseen keys are refused without a call ({@link KmsAccessException.Reason#UNWRAP_BUDGET_EXHAUSTED},
 *       a record problem, so the record goes to the dead-letter topic and the sink keeps moving).</li>
 * </ul>
 * Keys that unwrap never draw on the budget, and outages (retriable) are neither remembered nor counted.
 */
final class UnwrapGuard {
    static final int MAX_REMEMBERED = 10_000;
    static final long REMEMBER_MILLIS = 10 * 60 * 1000L;
    static final long REMEMBER_UNUSABLE_MILLIS = 60 * 1000L;

    private final double capacity;
    private final double tokensPerMilli;
    /** By WrappedKey (that wrapped key was refused) or by key id String (every key it wrapped is refused). */
    private final Map<Object, Refusal> refused = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Refusal> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private double tokens;
    private long lastRefillMillis;
    private final AtomicLong rememberedRefusals = new AtomicLong();
    private final AtomicLong budgetRefusals = new AtomicLong();

    private record Refusal(KmsAccessException.Reason reason, String message, long atMillis, long forMillis) {
    }

    UnwrapGuard(int failuresPerMinute, long nowMillis) {
        this.capacity = failuresPerMinute;
        this.tokensPerMilli = failuresPerMinute / 60_000.0;
        this.tokens = failuresPerMinute;
        this.lastRefillMillis = nowMillis;
    }

    /** Throws when {@code wrapped} was refused recently, or when unseen keys may not be tried now. */
    synchronized void beforeUnwrap(WrappedKey wrapped, long nowMillis) {
        Refusal known = refused.get(wrapped);
        if (known == null || nowMillis - known.atMillis() >= known.forMillis()) {
            known = refused.get(wrapped.keyId());
        }
        if (known != null && nowMillis - known.atMillis() < known.forMillis()) {
            rememberedRefusals.incrementAndGet();
            throw new KmsAccessException(known.reason(), known.message() + " (remembered; not sent to the key service again)");
        }
        refill(nowMillis);
        if (tokens < 1) {
            budgetRefusals.incrementAndGet();
            throw new KmsAccessException(KmsAccessException.Reason.UNWRAP_BUDGET_EXHAUSTED, "Too many records named data "
                    + "keys that failed to unwrap in the last minute (more than " + (int) capacity + "); this record's data key "
                    + "was not sent to the key service. Look for forged or corrupt records on the topic");
        }
    }

    /**
     * Remembers a refusal that is the record's problem, and draws on the budget for it when it cost a call to
     * the key service (a key id refused by the provider's own checks costs nothing, and must not starve
     * genuine keys of the budget).
     */
    synchronized void refused(WrappedKey wrapped, KmsAccessException e, long nowMillis, boolean costACall) {
        if (costACall && e.reason() == KmsAccessException.Reason.KEY_NOT_USABLE) {
            // Disabled or expired: not the record's fault, so no budget is drawn, but its other data keys are not
            // sent either while it stays so.
            refused.put(wrapped.keyId(), new Refusal(e.reason(), e.getMessage(), nowMillis, REMEMBER_UNUSABLE_MILLIS));
            return;
        }
        if (!e.isRecordProblem() || e.reason() == KmsAccessException.Reason.UNWRAP_BUDGET_EXHAUSTED) {
            return;
        }
        boolean wholeKey = costACall && e.reason() == KmsAccessException.Reason.KEY_NOT_FOUND;
        refused.put(wholeKey ? wrapped.keyId() : wrapped, new Refusal(e.reason(), e.getMessage(), nowMillis, REMEMBER_MILLIS));
        if (costACall) {
            refill(nowMillis);
            tokens = Math.max(0, tokens - 1);
        }
    }

    private void refill(long nowMillis) {
        long elapsed = Math.max(0, nowMillis - lastRefillMillis);
        tokens = Math.min(capacity, tokens + elapsed * tokensPerMilli);
        lastRefillMillis = nowMillis;
    }

    /** Records refused without a call because their wrapped key had been refused before. */
    long rememberedRefusals() {
        return rememberedRefusals.get();
    }

    /** Records refused without a call because the failure budget was empty. */
    long budgetRefusals() {
        return budgetRefusals.get();
    }
}
