package ec.stocksync.movement;

import java.time.Duration;

/**
 * What a failed push unit means for its movements, decided by {@link PushFailurePolicy} before anything is written.
 *
 * @param outcome         what becomes of the movements
 * @param error           the {@code last_error} text (never a secret: Contifico's text arrives sanitized)
 * @param delay           when the movements may be claimed again
 * @param spendsAttempt   false when the failure says nothing about the movements (breaker open, key refused)
 * @param forgetProductId the cached Contifico product id of the SKU is stale and must be resolved afresh
 * @param unexpected      not one of the typed failures: worth an error log with the stack
 */
record PushVerdict(Outcome outcome, String error, Duration delay, boolean spendsAttempt, boolean forgetProductId,
                   boolean unexpected) {

    enum Outcome {
        /** Another worker took the lease over; it carries on and nothing is written here. */
        LEASE_LOST,
        /** Nothing was booked: the doubt (if any) is cleared and the push is retried under a new reference. */
        RETRY,
        /** The push may have been booked: the doubt stays, so its reference is looked up before any re-send. */
        RETRY_IN_DOUBT,
        /** Refused for good: no retry will do better (the queue also turns a retry DEAD when attempts run out). */
        DEAD
    }

    static PushVerdict leaseLost() {
        return new PushVerdict(Outcome.LEASE_LOST, null, Duration.ZERO, false, false, false);
    }

    boolean dead() {
        return outcome == Outcome.DEAD;
    }

    /** Only a failure that proves nothing was booked may clear a doubt. */
    boolean clearsDoubt() {
        return outcome == Outcome.RETRY || outcome == Outcome.DEAD;
    }
}
