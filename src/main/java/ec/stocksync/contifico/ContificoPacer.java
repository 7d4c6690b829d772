package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Contifico's pace, per integration: at most {@code max-concurrent-calls} calls in flight, shared by pushes and pulls,
 * with sales served first and {@code reserved-for-sales} slots that background work never takes, so one store's full
 * sweep delays neither its own sales nor (each integration having its own lane) another store's. A 429 with
 * {@code Retry-After} pauses the whole lane for that long: Contifico asked this tenant, not one request, to slow down.
 *
 * <p>Waiting is never blocking: a call that cannot start is queued and started by the release of another. A pause
 * longer than {@code max-queue-wait}, or a wait for a turn that long, fails the call as never attempted (it costs a
 * sale no attempt and does not feed the circuit breaker), so nothing piles up.
 */
@ApplicationScoped
public class ContificoPacer {

    private static final Logger LOG = Logger.getLogger(ContificoPacer.class);

    @Inject
    ContificoConfig config;
    @Inject
    Vertx vertx;

    private final Map<Long, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * Runs {@code call} when the integration's lane gives it a turn. Only the wait for a turn is bounded here: once a
     * call has started, its own timeout decides (a movement POST that was sent must end as "outcome unknown", never as
     * a local refusal that would let it be sent again blind). A refusal here means the call was never attempted.
     */
    public <T> Uni<T> call(ContificoConnection c, Supplier<Uni<T>> call) {
        Lane lane = lanes.computeIfAbsent(c.integrationId(), Lane::new);
        boolean sale = c.priority() != ContificoConnection.Priority.BACKGROUND;
        return Uni.createFrom().<T>emitter(em -> {
            long paused = lane.pausedFor();
            if (paused > config.maxQueueWait().toMillis()) {
                // Contifico asked for a long break: say so at once instead of piling calls up behind it.
                em.fail(notAttempted("Contifico asked integration " + c.integrationId() + " to wait "
                        + Duration.ofMillis(paused).toSeconds() + " s before calling again", 429, Duration.ofMillis(paused)));
                return;
            }
            // A call queued behind others starts from their completion: bring it back to its caller's context
            // (a Hibernate Reactive session, for one, must stay on its own event loop).
            Context origin = Vertx.currentContext();
            Turn turn = new Turn(sale);
            turn.start = () -> {
                Uni<T> uni;
                try {
                    uni = call.get();
                } catch (RuntimeException e) {
                    uni = Uni.createFrom().failure(e);
                }
                turn.running = uni.subscribe().with(v -> {
                    lane.release(turn);
                    em.complete(v);
                }, e -> {
                    lane.release(turn);
                    em.fail(e);
                });
                // Abandoned between begin() and here: the cancel found nothing to stop, so stop it now.
                if (lane.isDone(turn)) {
                    turn.running.cancel();
                }
            };
            turn.context = origin;
            turn.onQueueTimeout = () -> em.fail(notAttempted("Contifico calls of integration " + c.integrationId()
                    + " waited over " + config.maxQueueWait().toSeconds() + " s for a turn", 0, null));
            em.onTermination(() -> lane.abandon(turn));
            lane.enqueue(turn);
        });
    }

    /** Not sent at all: like an open breaker, it says nothing of Contifico's health and costs a sale no attempt. */
    private static ContificoException.Unavailable notAttempted(String message, int status, Duration retryAfter) {
        return new ContificoException.Unavailable(message + " (call not attempted)", status, true, null, retryAfter);
    }

    /** Contifico answered 429: every call of the integration waits {@code retryAfter} before its turn. */
    public void pause(long integrationId, Duration retryAfter) {
        lanes.computeIfAbsent(integrationId, Lane::new).pause(retryAfter);
    }

    /** Calls of the integration in flight now (for tests and metrics). */
    public int inFlight(long integrationId) {
        Lane lane = lanes.get(integrationId);
        return lane == null ? 0 : lane.inFlight();
    }

    private static final class Turn {
        final boolean sale;
        Runnable start;
        Runnable onQueueTimeout;
        Context context;
        volatile Cancellable running;
        long timer = -1;
        boolean started;
        boolean done;

        Turn(boolean sale) {
            this.sale = sale;
        }
    }

    private final class Lane {
        private final long integrationId;
        private final Deque<Turn> sales = new ArrayDeque<>();
        private final Deque<Turn> background = new ArrayDeque<>();
        private int inFlight;
        private long pausedUntil;
        private boolean wakeUpScheduled;

        Lane(long integrationId) {
            this.integrationId = integrationId;
        }

        synchronized int inFlight() {
            return inFlight;
        }

        synchronized boolean isDone(Turn t) {
            return t.done;
        }

        synchronized long pausedFor() {
            return Math.max(0, pausedUntil - System.currentTimeMillis());
        }

        void enqueue(Turn t) {
            synchronized (this) {
                (t.sale ? sales : background).addLast(t);
                t.timer = vertx.setTimer(Math.max(1, config.maxQueueWait().toMillis()), id -> timedOut(t));
            }
            dispatch();
        }

        /** Still waiting after max-queue-wait: it leaves the queue, never having been sent. */
        private void timedOut(Turn t) {
            synchronized (this) {
                if (t.started || t.done) {
                    return;
                }
                t.done = true;
                sales.remove(t);
                background.remove(t);
            }
            t.onQueueTimeout.run();
        }

        void release(Turn t) {
            synchronized (this) {
                if (t.done) {
                    return;
                }
                t.done = true;
                if (t.started) {
                    inFlight--;
                }
            }
            dispatch();
        }

        /** The caller went away (cancelled, timed out): a queued turn leaves the queue, a running one is stopped. */
        void abandon(Turn t) {
            boolean wasRunning;
            synchronized (this) {
                if (t.done) {
                    return;
                }
                wasRunning = t.started;
                if (!wasRunning) {
                    sales.remove(t);
                    background.remove(t);
                    if (t.timer >= 0) {
                        vertx.cancelTimer(t.timer);
                    }
                }
            }
            if (wasRunning && t.running != null) {
                t.running.cancel();
            }
            release(t);
        }

        void pause(Duration retryAfter) {
            synchronized (this) {
                pausedUntil = Math.max(pausedUntil, System.currentTimeMillis() + retryAfter.toMillis());
            }
            LOG.warnf("Contifico asked integration %d to slow down: its calls wait %d ms", integrationId,
                    retryAfter.toMillis());
        }

        /** Starts a turn unless its caller gave up in the meantime (then the slot it was given goes back). */
        private void begin(Turn t) {
            synchronized (this) {
                if (t.done) {
                    return;
                }
            }
            t.start.run();
        }

        private void dispatch() {
            while (true) {
                Turn next;
                synchronized (this) {
                    long wait = pausedUntil - System.currentTimeMillis();
                    if (wait > 0) {
                        if (!wakeUpScheduled && (!sales.isEmpty() || !background.isEmpty())) {
                            wakeUpScheduled = true;
                            vertx.setTimer(wait, id -> {
                                synchronized (this) {
                                    wakeUpScheduled = false;
                                }
                                dispatch();
                            });
                        }
                        return;
                    }
                    int max = Math.max(1, config.maxConcurrentCalls());
                    int backgroundMax = Math.max(1, max - Math.max(0, config.reservedForSales()));
                    if (!sales.isEmpty() && inFlight < max) {
                        next = sales.pollFirst();
                    } else if (sales.isEmpty() && !background.isEmpty() && inFlight < backgroundMax) {
                        next = background.pollFirst();
                    } else {
                        return;
                    }
                    next.started = true;
                    inFlight++;
                    if (next.timer >= 0) {
                        vertx.cancelTimer(next.timer);
                    }
                }
                Turn turn = next;
                if (turn.context != null && turn.context != Vertx.currentContext()) {
                    turn.context.runOnContext(v -> begin(turn));
                } else {
                    begin(turn);
                }
            }
        }
    }
}
