package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The budget that keeps advisory locks from pinning every pooled connection (issue 12 E). */
class LockBudgetTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private static Uni<String> held(CompletableFuture<String> until) {
        return Uni.createFrom().completionStage(until);
    }

    @Test
    void aTryFindsNoSlotWhileTheBudgetIsSpentAndOneOnceWorkEnds() {
        LockBudget budget = new LockBudget(2);
        CompletableFuture<String> first = new CompletableFuture<>();
        UniAssertSubscriber<Optional<String>> pull = budget.<String>tryWith(2, () -> held(first).map(Optional::of))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        assertEquals(0, budget.available());
        budget.<String>tryWith(1, () -> Uni.createFrom().item(Optional.of("push")))
                .subscribe().withSubscriber(UniAssertSubscriber.create()).assertItem(Optional.empty());
        first.complete("done");
        pull.assertItem(Optional.of("done"));
        assertEquals(2, budget.available());
    }

    @Test
    void waitersGetSlotsInArrivalOrderAndNeverBeyondTheCapacity() {
        LockBudget budget = new LockBudget(2);
        List<CompletableFuture<String>> works = new ArrayList<>();
        List<UniAssertSubscriber<String>> subs = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        int[] slots = {2, 1, 1};
        for (int i = 0; i < slots.length; i++) {
            int n = i;
            CompletableFuture<String> w = new CompletableFuture<>();
            works.add(w);
            subs.add(budget.with(slots[i], () -> {
                started.add(n);
                return held(w);
            }, LONG, IllegalStateException::new).subscribe().withSubscriber(UniAssertSubscriber.create()));
        }
        assertEquals(List.of(0), started, "the pull takes both slots; the pushes wait");
        works.get(0).complete("a");
        assertEquals(List.of(0, 1, 2), started);
        // A try behind waiters does not jump the queue, and none is left while two hold a slot each.
        budget.<String>tryWith(1, () -> Uni.createFrom().item(Optional.of("x")))
                .subscribe().withSubscriber(UniAssertSubscriber.create()).assertItem(Optional.empty());
        works.get(1).complete("b");
        works.get(2).complete("c");
        subs.get(2).assertItem("c");
        assertEquals(2, budget.available());
    }

    @Test
    void aWaiterThatTimesOutLeavesTheQueueAndItsSlotsAreNotLost() {
        LockBudget budget = new LockBudget(1);
        CompletableFuture<String> holder = new CompletableFuture<>();
        budget.with(1, () -> held(holder), LONG, IllegalStateException::new)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<String> late = budget.with(1, () -> Uni.createFrom().item("never"), Duration.ofMillis(50),
                        () -> new IllegalStateException("busy"))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        late.awaitFailure(Duration.ofSeconds(5)).assertFailedWith(IllegalStateException.class, "busy");
        holder.complete("done");
        assertEquals(1, budget.available());
    }

    @Test
    void workThatFailsOrIsCancelledGivesItsSlotsBack() {
        LockBudget budget = new LockBudget(2);
        budget.with(2, () -> {
            throw new IllegalStateException("boom");
        }, LONG, IllegalStateException::new).subscribe().withSubscriber(UniAssertSubscriber.create())
                .assertFailedWith(IllegalStateException.class, "boom");
        assertEquals(2, budget.available());
        UniAssertSubscriber<String> cancelled = budget.with(2, () -> held(new CompletableFuture<>()), LONG,
                IllegalStateException::new).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertEquals(0, budget.available());
        cancelled.cancel();
        assertEquals(2, budget.available());
    }

    @Test
    void aPoolTooSmallForAPullAndAPushIsRefusedAtStart() {
        AdvisoryLocks locks = new AdvisoryLocks();
        locks.poolSize = 3;
        IllegalStateException e = assertThrows(IllegalStateException.class, locks::sizeBudget);
        assertTrue(e.getMessage().contains("STOCKSYNC_DB_POOL_SIZE"), e.getMessage());
        locks.poolSize = 4;
        locks.sizeBudget();
        assertEquals(2, locks.freeSlots(), "two of four connections stay free for queries");
        locks.poolSize = 30;
        locks.sizeBudget();
        assertEquals(22, locks.freeSlots());
    }
}
