package ec.stocksync.contifico;

import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contifico's pace per integration: a cap shared by pushes and pulls, sales first, and 429s honoured. */
@QuarkusTest
class ContificoPacerTest {

    private static final AtomicLong IDS = new AtomicLong(7_000_000 + System.nanoTime() % 1_000_000);

    @Inject
    ContificoPacer pacer;
    @Inject
    ContificoClient client;
    @Inject
    ContificoSandbox sandbox;

    static ContificoConnection connection(long id) {
        return new ContificoConnection(id, "http://127.0.0.1:1/sistema/api", "k", null, "W");
    }

    /** A call that records when it started and ends when the test says so. */
    final class Gated {
        final String name;
        final CompletableFuture<String> gate = new CompletableFuture<>();
        final CompletableFuture<String> result = new CompletableFuture<>();
        Cancellable subscription;

        Gated(ContificoConnection c, String name, ConcurrentLinkedQueue<String> started) {
            this.name = name;
            subscription = pacer.call(c, () -> {
                started.add(name);
                return Uni.createFrom().completionStage(gate);
            }).subscribe().with(result::complete, result::completeExceptionally);
        }
    }

    static void settle() throws InterruptedException {
        Thread.sleep(100);
    }

    @Test
    void backgroundWorkNeverTakesTheSlotsKeptForSalesAndQueuedSalesGoFirst() throws Exception {
        ContificoConnection sales = connection(IDS.incrementAndGet());
        ContificoConnection pulls = sales.background();
        ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
        List<Gated> bg = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bg.add(new Gated(pulls, "pull-" + i, started));
        }
        settle();
        // Four slots (the default), one of them kept for sales: three pulls run, two wait.
        assertEquals(List.of("pull-0", "pull-1", "pull-2"), List.copyOf(started));

        Gated sale1 = new Gated(sales, "sale-1", started);
        settle();
        assertTrue(started.contains("sale-1"), "a sale starts at once beside a full sweep");
        Gated sale2 = new Gated(sales, "sale-2", started);
        settle();
        assertEquals(4, pacer.inFlight(sales.integrationId()));
        assertTrue(!started.contains("sale-2"));

        bg.get(0).gate.complete("done");
        settle();
        assertTrue(started.contains("sale-2"), "the freed slot goes to the waiting sale, not to the waiting pulls");
        assertTrue(!started.contains("pull-3"));

        sale1.gate.complete("ok");
        sale2.gate.complete("ok");
        settle();
        assertTrue(started.contains("pull-3") && !started.contains("pull-4"), started.toString());
        assertEquals("ok", sale1.result.get());
        bg.forEach(g -> g.gate.complete("done"));
        settle();
        assertEquals(List.of("pull-0", "pull-1", "pull-2", "sale-1", "sale-2", "pull-3", "pull-4"), List.copyOf(started));
        assertEquals(0, pacer.inFlight(sales.integrationId()));
    }

    @Test
    void anotherIntegrationIsNeverHeldUpByThisOnesQueue() throws Exception {
        ContificoConnection busy = connection(IDS.incrementAndGet()).background();
        ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
        List<Gated> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(new Gated(busy, "busy-" + i, started));
        }
        Gated other = new Gated(connection(IDS.incrementAndGet()).background(), "other", started);
        settle();
        assertTrue(started.contains("other"));
        all.forEach(g -> g.gate.complete("x"));
        other.gate.complete("x");
    }

    @Test
    void aCallerThatGivesUpLeavesTheQueueAndFreesItsSlot() throws Exception {
        ContificoConnection c = connection(IDS.incrementAndGet()).background();
        ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
        List<Gated> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(new Gated(c, "run-" + i, started));
        }
        Gated queued = new Gated(c, "queued", started);
        Gated next = new Gated(c, "next", started);
        settle();
        queued.subscription.cancel();
        running.get(0).subscription.cancel();
        settle();
        assertTrue(!started.contains("queued"), "a cancelled call never starts");
        assertTrue(started.contains("next"), "a cancelled running call gave its slot back");
        running.forEach(g -> g.gate.complete("x"));
        next.gate.complete("x");
    }

    @Test
    void aStartedCallIsNeverCutShortByThePacerOnlyItsWaitForATurnIsBounded() throws Exception {
        // max-queue-wait is 3 s in tests.
        ContificoConnection c = connection(IDS.incrementAndGet()).background();
        ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
        List<Gated> slow = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            slow.add(new Gated(c, "slow-" + i, started));
        }
        Gated starved = new Gated(c, "starved", started);
        Thread.sleep(4000);
        // The running calls are still running (a sent POST must end as its own timeout says, never here)...
        assertTrue(slow.stream().noneMatch(g -> g.result.isDone()));
        // ...while the one that never got a turn was refused as not attempted, and never starts.
        Throwable refused = starved.result.handle((v, e) -> e).get();
        assertTrue(refused instanceof ContificoException.Unavailable u && u.circuitOpen(), String.valueOf(refused));
        assertTrue(refused.getMessage().contains("not attempted"));
        slow.forEach(g -> g.gate.complete("late but fine"));
        assertEquals("late but fine", slow.get(0).result.get());
        settle();
        assertTrue(!started.contains("starved"));
        assertEquals(0, pacer.inFlight(c.integrationId()));
    }

    @Test
    void a429WithRetryAfterPausesEveryCallOfTheIntegrationForThatLong() {
        ContificoSimulator sim = sandbox.simulator();
        SimFixture fx = new SimFixture(sim);
        ContificoSimulator.SimProduct p = fx.product("PACE-1", true, "5");
        sim.setFault(ContificoSimulator.Endpoint.PRODUCT_STOCK, ContificoSimulator.Fault.throttled("1", 1));
        ContificoConnection c = fx.connection();

        Instant before = Instant.now();
        SimFixture.await(client.stockInWarehouse(c, p.id));
        List<ContificoSimulator.RecordedRequest> reads = sim.requests().stream()
                .filter(r -> r.endpoint() == ContificoSimulator.Endpoint.PRODUCT_STOCK).toList();
        assertEquals(2, reads.size(), "the 429, then the read that went through");
        long waited = Duration.between(reads.get(0).at(), reads.get(1).at()).toMillis();
        assertTrue(waited >= 950, "the retry waited for Retry-After: " + waited + " ms");
        assertTrue(Duration.between(before, Instant.now()).toMillis() < 5000);
    }
}
