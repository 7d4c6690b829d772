package ec.stocksync.common;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(20));

    @Test
    void doublesFromTheBaseUpToTheCap() {
        assertEquals(Duration.ofMillis(500), backoff.exponential(0));
        assertEquals(Duration.ofMillis(1000), backoff.exponential(1));
        assertEquals(Duration.ofMillis(8000), backoff.exponential(4));
        assertEquals(Duration.ofSeconds(20), backoff.exponential(6));
        assertEquals(Duration.ofSeconds(20), backoff.exponential(Integer.MAX_VALUE));
        assertEquals(Duration.ofMillis(500), backoff.exponential(-3));
    }

    @Test
    void jitterStaysInTheUpperHalfOfTheWait() {
        for (int n = 0; n < 10; n++) {
            long exp = backoff.exponential(n).toMillis();
            for (int i = 0; i < 200; i++) {
                long wait = backoff.jittered(n).toMillis();
                assertTrue(wait >= exp / 2 && wait <= exp, "retry " + n + " waited " + wait + " ms of " + exp);
            }
        }
    }

    @Test
    void aZeroBaseNeverWaits() {
        Backoff none = new Backoff(Duration.ZERO, Duration.ofSeconds(1));
        assertEquals(Duration.ZERO, none.jittered(5));
    }
}
