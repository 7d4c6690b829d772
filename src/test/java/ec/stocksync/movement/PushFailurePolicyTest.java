package ec.stocksync.movement;

import ec.stocksync.common.ApiException;
import ec.stocksync.contifico.ContificoException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failure rules of a push, without a database or Contifico: what each failure does to the sale. */
class PushFailurePolicyTest {

    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(5);
    private static final Duration OUTCOME_UNKNOWN = Duration.ofSeconds(2);
    private static final Duration CIRCUIT_OPEN = Duration.ofMillis(300);

    private final PushFailurePolicy policy = new PushFailurePolicy(new WorkerConfig() {
        public boolean enabled() { return false; }
        public int concurrency() { return 1; }
        public Duration pollInterval() { return Duration.ofSeconds(1); }
        public Duration lease() { return Duration.ofSeconds(30); }
        public Duration leaseRenewInterval() { return Duration.ofSeconds(10); }
        public int maxAttempts() { return 10; }
        public Duration backoffBase() { return BASE; }
        public Duration backoffCap() { return CAP; }
        public Duration lockBusyDelay() { return Duration.ofSeconds(1); }
        public Duration outcomeUnknownDelay() { return OUTCOME_UNKNOWN; }
        public Duration circuitOpenDelay() { return CIRCUIT_OPEN; }
        public int maxGroupSize() { return 100; }
    });

    @Test
    void aRejectionIsDeadAndClearsTheDoubt() {
        PushVerdict v = policy.verdict(new ContificoException.Rejected(400, "cantidad invalida", null), 0);
        assertEquals(PushVerdict.Outcome.DEAD, v.outcome());
        assertTrue(v.clearsDoubt());
        assertTrue(v.spendsAttempt());
    }

    @Test
    void aSkuMarkedNotSyncedIsDeadWithTheReason() {
        PushVerdict v = policy.verdict(new ec.stocksync.contifico.SkuNotSynced("CAM-M"), 0);
        assertEquals(PushVerdict.Outcome.DEAD, v.outcome());
        assertTrue(v.error().startsWith("SKU 'CAM-M' is marked not synced"), v.error());
        assertFalse(v.unexpected());
        assertFalse(v.forgetProductId());
    }

    @Test
    void anUnknownOutcomeKeepsTheDoubtAndWaitsForTheLookUp() {
        PushVerdict v = policy.verdict(new ContificoException.OutcomeUnknown("timeout", 0, null), 0);
        assertEquals(PushVerdict.Outcome.RETRY_IN_DOUBT, v.outcome());
        assertFalse(v.clearsDoubt(), "a POST whose answer was lost is never resent blind");
        assertTrue(v.delay().compareTo(OUTCOME_UNKNOWN) >= 0, v.delay().toString());
    }

    @Test
    void anOutageRetriesWithBackoffAndHonoursRetryAfter() {
        PushVerdict first = policy.verdict(new ContificoException.Unavailable("503", 503, false, null), 0);
        assertEquals(PushVerdict.Outcome.RETRY, first.outcome());
        assertTrue(first.delay().compareTo(BASE) <= 0 && first.delay().compareTo(BASE.dividedBy(2)) >= 0);
        PushVerdict later = policy.verdict(new ContificoException.Unavailable("429", 429, false, null, Duration.ofSeconds(4)), 0);
        assertEquals(Duration.ofSeconds(4), later.delay());
    }

    @Test
    void anOpenBreakerOrARefusedKeyCostsNoAttempt() {
        PushVerdict open = policy.verdict(new ContificoException.Unavailable("open", 0, true, null), 3);
        assertFalse(open.spendsAttempt());
        assertEquals(CIRCUIT_OPEN, open.delay());
        PushVerdict key = policy.verdict(new ContificoException.Rejected(401, "no autorizado", null), 3);
        assertFalse(key.spendsAttempt());
        assertEquals(PushVerdict.Outcome.RETRY, key.outcome());
        assertEquals(CAP, key.delay());
    }

    @Test
    void aStaleProductIdIsForgottenAndRetried() {
        PushVerdict v = policy.verdict(new ContificoException.Rejected(400, "producto no existe", 1056), 0);
        assertTrue(v.forgetProductId());
        assertEquals(PushVerdict.Outcome.RETRY, v.outcome());
    }

    @Test
    void aFailedLookUpKeepsTheDoubt() {
        PushVerdict v = policy.verdict(new InventoryPushService.DoubtUnresolved(
                new ContificoException.Unavailable("open", 0, true, null)), 2);
        assertEquals(PushVerdict.Outcome.RETRY_IN_DOUBT, v.outcome());
        assertFalse(v.spendsAttempt());
    }

    @Test
    void noIntegrationWaitsForFreeAndAnythingElseIsUnexpected() {
        PushVerdict none = policy.verdict(ApiException.conflict("no_integration", "store has no integration"), 0);
        assertFalse(none.spendsAttempt());
        assertEquals(PushVerdict.Outcome.RETRY_IN_DOUBT, none.outcome());
        PushVerdict other = policy.verdict(new IllegalStateException("bug"), 0);
        assertTrue(other.unexpected());
        assertEquals(PushVerdict.Outcome.RETRY_IN_DOUBT, other.outcome());
    }

    @Test
    void aLostLeaseWritesNothing() {
        assertEquals(PushVerdict.Outcome.LEASE_LOST,
                policy.verdict(new InventoryPushService.LeaseLost(java.util.List.of(1L)), 0).outcome());
    }
}
