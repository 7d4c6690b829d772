package ec.stocksync.contifico;

import ec.stocksync.contifico.ContificoException.Unavailable;
import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.FaultType;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test profile: the breaker opens at 50 % failures over 4 calls and half-opens after 1 s. */
@QuarkusTest
class ContificoCircuitBreakerTest {

    @Inject
    ContificoSandbox sandbox;
    @Inject
    ContificoClient client;

    SimFixture fx;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
    }

    @Test
    void breakerOpensDuringAnOutageFailsFastAndClosesAfterRecovery() throws InterruptedException {
        SimProduct p = fx.product("CB-1", true, "5");
        ContificoConnection c = fx.connection();
        fx.sim.setFault(Endpoint.ANY, Fault.always(FaultType.ERROR_500));

        Unavailable open = null;
        for (int i = 0; i < 5 && open == null; i++) {
            Unavailable e = failure(client.getProduct(c, p.id), Unavailable.class);
            open = e.circuitOpen() ? e : null;
        }
        assertTrue(open != null, "the breaker opened");
        assertTrue(open.isRetryable());
        int reached = fx.sim.totalCount();

        // Open: neither reads nor movement POSTs reach Contifico, and a POST that was never sent is not outcome-unknown.
        assertTrue(failure(client.getProduct(c, p.id), Unavailable.class).circuitOpen());
        Unavailable post = failure(client.createMovement(c, NewMovement.sale(p.id, BigDecimal.ONE, "[cb]")), Unavailable.class);
        assertTrue(post.circuitOpen());
        assertFalse(post.outcomeUnknown());
        assertEquals(reached, fx.sim.totalCount(), "fail fast: no request reached the simulator");

        // Another integration has its own breaker.
        ContificoConnection other = fx.connection();
        assertFalse(failure(client.getProduct(other, p.id), Unavailable.class).circuitOpen());
        assertTrue(fx.sim.totalCount() > reached);

        fx.sim.clearFaults();
        Thread.sleep(1200);
        assertEquals("CB-1", await(client.getProduct(c, p.id)).codigo(), "half-open trial succeeds");
        int afterTrial = fx.sim.totalCount();
        await(client.createMovement(c, NewMovement.sale(p.id, BigDecimal.ONE, "[cb-after]")));
        assertEquals(afterTrial + 1, fx.sim.totalCount(), "closed again: calls reach Contifico");
        assertEquals(1, fx.sim.movements().size());
    }
}
