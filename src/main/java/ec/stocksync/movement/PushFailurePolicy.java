package ec.stocksync.movement;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.Backoff;
import ec.stocksync.contifico.ContificoException;
import ec.stocksync.contifico.SkuNotSynced;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The failure policy of pushes, with no I/O: what a failure means (retry, retry in doubt, DEAD) and how long the
 * movements wait. Kept apart from the pipeline so the rules that keep a sale from being lost or booked twice read in
 * one place.
 */
@ApplicationScoped
public class PushFailurePolicy {

    private final WorkerConfig config;
    private final Backoff backoff;

    public PushFailurePolicy(WorkerConfig config) {
        this.config = config;
        this.backoff = new Backoff(config.backoffBase(), config.backoffCap());
    }

    /** The verdict on a failure of a unit whose highest attempt count so far is {@code attemptsDone}. */
    PushVerdict verdict(Throwable e, int attemptsDone) {
        if (e instanceof InventoryPushService.LeaseLost) {
            return PushVerdict.leaseLost();
        }
        int attempt = attemptsDone + 1;
        // A call the circuit breaker never let out says nothing about this movement: it costs no attempt.
        boolean spendAttempt = !circuitOpen(e);
        Duration delay = spendAttempt ? backoff(attempt) : config.circuitOpenDelay();
        PushVerdict.Outcome outcome = PushVerdict.Outcome.RETRY_IN_DOUBT;
        boolean forget = false;
        boolean unexpected = false;
        String error;
        if (e instanceof ContificoException ce) {
            error = ce.getClass().getSimpleName() + ": " + ce.getMessage();
            // An unknown outcome is not a verdict: it is retried, after a look-up of its reference.
            boolean dead = !ce.isRetryable() && !ce.outcomeUnknown();
            if (ce.outcomeUnknown()) {
                delay = max(config.outcomeUnknownDelay(), delay);
            }
            if (ce instanceof ContificoException.Unavailable u && u.retryAfter() != null) {
                // Contifico said when to come back (a 429): sooner would only be refused again.
                delay = max(u.retryAfter(), delay);
            }
            if (staleProductId(ce)) {
                // The cached product id is gone (product recreated, integration moved): resolve the SKU afresh.
                forget = true;
                dead = false;
            } else if (ce.status() == 401 || ce.status() == 403) {
                // A revoked or mistyped key is the operator's to fix; the sales wait for it without burning attempts.
                dead = false;
                spendAttempt = false;
                delay = config.backoffCap();
            }
            outcome = dead ? PushVerdict.Outcome.DEAD
                    : ce.outcomeUnknown() ? PushVerdict.Outcome.RETRY_IN_DOUBT : PushVerdict.Outcome.RETRY;
        } else if (e instanceof SkuNotSynced ns) {
            // An operator's decision, found before anything was sent: no retry does better until it changes.
            error = ns.getMessage();
            outcome = PushVerdict.Outcome.DEAD;
        } else if (e instanceof InventoryPushService.DoubtUnresolved du) {
            error = "look-up of an earlier push failed: " + du.getCause().getMessage();
        } else if (e instanceof ApiException ae && "no_integration".equals(ae.code())) {
            // Not a verdict on the push (a doubt stays a doubt), and the sales wait for an integration for free.
            error = ae.getMessage();
            spendAttempt = false;
            delay = config.backoffCap();
        } else {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            unexpected = true;
        }
        return new PushVerdict(outcome, error, delay, spendAttempt, forget, unexpected);
    }

    /**
     * When to try a unit whose push lock someone else holds (no attempt spent). The holder may be the worker whose push
     * put these in doubt: its request must land before the look-up.
     */
    Duration lockBusyDelay(List<Movement> group) {
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, config.lockBusyDelay().toMillis() / 2));
        Duration delay = group.stream().anyMatch(Movement::pushOutcomeUnknown)
                ? config.outcomeUnknownDelay() : config.lockBusyDelay();
        return delay.plusMillis(jitter);
    }

    /** The wait before attempt {@code attempt + 1}, from {@code backoff-base} doubling up to {@code backoff-cap}. */
    Duration backoff(int attempt) {
        return backoff.jittered(attempt - 1);
    }

    /** Contifico no longer knows the product id we cached for the SKU. */
    private static boolean staleProductId(ContificoException e) {
        return (e instanceof ContificoException.NotFound nf && nf.sku() == null)
                || (e instanceof ContificoException.Rejected r && Integer.valueOf(1056).equals(r.codError()));
    }

    private static boolean circuitOpen(Throwable e) {
        Throwable t = e instanceof InventoryPushService.DoubtUnresolved ? e.getCause() : e;
        return t instanceof ContificoException.Unavailable u && u.circuitOpen();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
