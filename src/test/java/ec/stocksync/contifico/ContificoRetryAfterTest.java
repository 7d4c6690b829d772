package ec.stocksync.contifico;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading a Retry-After header never yields a negative, unbounded or invented wait. */
class ContificoRetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void deltaSecondsAreTheWait() {
        assertEquals(Duration.ofSeconds(3), ContificoErrors.retryAfter(" 3 ", NOW));
        assertEquals(Duration.ZERO, ContificoErrors.retryAfter("0", NOW));
    }

    @Test
    void anHttpDateIsTheTimeLeftAndADateInThePastIsNoWait() {
        assertEquals(Duration.ofSeconds(90), ContificoErrors.retryAfter("Tue, 1 Dec 2026 12:01:30 GMT", NOW));
        assertEquals(Duration.ZERO, ContificoErrors.retryAfter("Tue, 1 Dec 2026 11:00:00 GMT", NOW));
    }

    @Test
    void waitsBeyondTenMinutesAreCappedEvenPastWhatALongHolds() {
        assertEquals(Duration.ofMinutes(10), ContificoErrors.retryAfter("601", NOW));
        assertEquals(Duration.ofMinutes(10), ContificoErrors.retryAfter("99999999999999999999999", NOW));
        assertEquals(Duration.ofMinutes(10), ContificoErrors.retryAfter("Fri, 1 Jan 2100 00:00:00 GMT", NOW));
    }

    @Test
    void anAbsentOrUnreadableHeaderSaysNothing() {
        assertNull(ContificoErrors.retryAfter(null, NOW));
        assertNull(ContificoErrors.retryAfter("  ", NOW));
        assertNull(ContificoErrors.retryAfter("-5", NOW));
        assertNull(ContificoErrors.retryAfter("1.5", NOW));
        assertNull(ContificoErrors.retryAfter("tomorrow", NOW));
    }
}
