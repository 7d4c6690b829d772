package ec.stocksync.webhook;

import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kick after a delivery: one batch at a time per replica, and nothing recorded meanwhile left for the schedule. */
class DeferredClaimsTest {

    @Test
    void kicksWhileABatchRunsStartNoOverlappingBatchButOneMoreAfterIt() {
        DeferredClaims claims = new DeferredClaims(null, Logger.getLogger(DeferredClaimsTest.class), "test row",
                "t", "k", "x.a", "",
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry().counter("given.up"));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<CompletableFuture<Integer>> batches = new CopyOnWriteArrayList<>();
        Supplier<Uni<Integer>> batch = () -> Uni.createFrom().deferred(() -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            CompletableFuture<Integer> open = new CompletableFuture<>();
            batches.add(open);
            return Uni.createFrom().completionStage(open).eventually(() -> {
                running.decrementAndGet();
            });
        });

        claims.kick(batch);
        for (int i = 0; i < 10; i++) {
            claims.kick(batch);
        }
        assertEquals(1, batches.size(), "kicks during a batch start none beside it");

        batches.get(0).complete(3);
        assertEquals(2, batches.size(), "one more batch after it, for rows recorded after its claim");
        batches.get(1).complete(0);
        assertEquals(2, batches.size());
        assertEquals(1, mostAtOnce.get());

        claims.kick(batch);
        assertEquals(3, batches.size(), "a kick when none runs starts a batch");
        batches.get(2).complete(0);
    }

    @Test
    void aBatchThatThrowsInsteadOfFailingDoesNotStopLaterKicksFromStartingOne() {
        DeferredClaims claims = new DeferredClaims(null, Logger.getLogger(DeferredClaimsTest.class), "test row",
                "t", "k", "x.a", "",
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry().counter("given.up"));
        AtomicInteger calls = new AtomicInteger();
        Supplier<Uni<Integer>> batch = () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("no pool yet");
            }
            return Uni.createFrom().item(0);
        };

        claims.kick(batch);
        claims.kick(batch);

        assertEquals(2, calls.get(), "the kick after a throwing batch starts one");
    }
}
