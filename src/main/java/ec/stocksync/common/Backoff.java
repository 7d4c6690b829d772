package ec.stocksync.common;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one exponential backoff of the service: the n-th wait (n counted from 0) is {@code base · 2ⁿ}, never above
 * {@code cap}. Movement retries, storefront call retries and post-push pull retries all take their waits from here.
 */
public record Backoff(Duration base, Duration cap) {

    /** Doublings past this overflow nothing and already pass any sensible cap. */
    private static final int MAX_DOUBLINGS = 20;

    public Backoff {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
    }

    /** The n-th wait without jitter, for callers whose wait must not come sooner (a breaker's delay to let pass). */
    public Duration exponential(int n) {
        long baseMs = Math.max(0, base.toMillis());
        long capMs = Math.max(0, cap.toMillis());
        int doublings = Math.min(MAX_DOUBLINGS, Math.max(0, n));
        return Duration.ofMillis(Math.min(capMs, baseMs << doublings));
    }

    /**
     * The n-th wait drawn uniformly from its upper half: replicas retrying the same upstream do not come back in
     * lockstep, yet no wait drops to nothing, which a full jitter down to 0 would allow.
     */
    public Duration jittered(int n) {
        long exp = exponential(n).toMillis();
        return Duration.ofMillis(exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1));
    }
}
