package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * How many pooled connections may be pinned by advisory locks at once. A lock is held by an idle transaction on one
 * pooled connection while the work under it runs its queries on others: if locks took every connection, each holder
 * would wait for a connection only another holder can free, and the service would stall (issue 12 E). Keeping
 * {@code reserved} connections out of the budget means a lock holder's next query always finds one.
 *
 * <p>Non-blocking: a waiter is a future completed when slots free up, in arrival order.
 */
final class LockBudget {

    private final int capacity;
    private int used;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    private static final class Waiter {
        final int slots;
        final CompletableFuture<Void> granted = new CompletableFuture<>();
        final AtomicBoolean taken = new AtomicBoolean();

        Waiter(int slots) {
            this.slots = slots;
        }
    }

    LockBudget(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a lock budget needs at least one slot");
        }
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    synchronized int available() {
        return waiters.isEmpty() ? capacity - used : 0;
    }

    /** Runs {@code work} holding {@code slots} if they are free now; empty when they are not. */
    <T> Uni<Optional<T>> tryWith(int slots, Supplier<Uni<Optional<T>>> work) {
        return Uni.createFrom().deferred(() -> {
            if (!tryAcquire(slots)) {
                return Uni.createFrom().item(Optional.<T>empty());
            }
            return holding(slots, work);
        });
    }

    /**
     * Runs {@code work} holding {@code slots}, waiting for them (without blocking) behind earlier waiters; fails with
     * {@code timeout}'s exception when they do not come within {@code maxWait}.
     */
    <T> Uni<T> with(int slots, Supplier<Uni<T>> work, Duration maxWait, Supplier<? extends Throwable> timeout) {
        return acquire(slots).ifNoItem().after(maxWait).failWith(timeout).chain(() -> holding(slots, work));
    }

    private <T> Uni<T> holding(int slots, Supplier<Uni<T>> work) {
        // deferred: a supplier that throws still ends in the termination hook, so the slots always come back.
        return Uni.createFrom().<T>deferred(work::get).onTermination().invoke(() -> release(slots));
    }

    private synchronized boolean tryAcquire(int slots) {
        if (waiters.isEmpty() && used + slots <= capacity) {
            used += slots;
            return true;
        }
        return false;
    }

    private Uni<Void> acquire(int slots) {
        if (slots > capacity) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "work needing " + slots + " lock slots can never run with " + capacity));
        }
        return Uni.createFrom().deferred(() -> {
            Waiter w = new Waiter(slots);
            synchronized (this) {
                if (waiters.isEmpty() && used + slots <= capacity) {
                    used += slots;
                    return Uni.createFrom().voidItem();
                }
                waiters.add(w);
            }
            return Uni.createFrom().completionStage(w.granted)
                    // Whichever comes first, the hand-over or the waiter giving up, owns the granted slots.
                    .invoke(() -> {
                        if (!w.taken.compareAndSet(false, true)) {
                            throw new CancellationException("gave up waiting for a lock slot");
                        }
                    })
                    .onCancellation().invoke(() -> abandon(w));
        });
    }

    /** A waiter that gave up (timed out, cancelled): out of the queue, or its slots back if they were just granted. */
    private void abandon(Waiter w) {
        synchronized (this) {
            if (waiters.remove(w)) {
                return;
            }
        }
        if (w.taken.compareAndSet(false, true)) {
            release(w.slots);
        }
    }

    private void release(int slots) {
        synchronized (this) {
            used -= slots;
        }
        grant();
    }

    /** Completes the waiters at the head of the queue that now fit, outside the monitor. */
    private void grant() {
        while (true) {
            Waiter next;
            synchronized (this) {
                next = waiters.peek();
                if (next == null || used + next.slots > capacity) {
                    return;
                }
                waiters.poll();
                used += next.slots;
            }
            next.granted.complete(null);
        }
    }
}
