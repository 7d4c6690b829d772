package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
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
 * longer than {@code max-queue-wait} fails calls at once (as unavailable, with the wait), so nothing piles up.
 */
@ApplicationScoped
public class ContificoPacer {

    private static final Logger LOG = Logger.getLogger(ContificoPacer.class);

    @Inject
    ContificoConfig config;
    @Inject
    Vertx vertx;

    private final Map<Long, Lane> lanes = new ConcurrentHashMap<>();

    /** Runs {@code call} when the integration's lane gives it a turn. */
    public <T> Uni<T> call(ContificoConnection c, Supplier<Uni<T>> call) {
        Lane lane = lanes.computeIfAbsent(c.integrationId(), Lane::new);
        boolean sale = c.priority() != ContificoConnection.Priority.BACKGROUND;
        return Uni.createFrom().<T>emitter(em -> {
            long paused = lane.pausedFor();
            if (paused > config.maxQueueWait().toMillis()) {
                // Contifico asked for a long break: say so at once instead of piling calls up behind it.
                em.fail(new ContificoException.Unavailable("Contifico asked integration " + c.integrationId()
                        + " to wait " + Duration.ofMillis(paused).toSeconds() + " s before calling again", 429, false,
                        null, Duration.ofMillis(paused)));
                return;
            }
            Turn turn = new Turn(sale);
            turn.start = () -> {
                Cancellable running = call.get().subscribe().with(v -> {
                    lane.release(turn);
                    em.complete(v);
                }, e -> {
                    lane.release(turn);
                    em.fail(e);
                });
                turn.running = running;
            };
            em.onTermination(() -> lane.abandon(turn));
            lane.enqueue(turn);
        }).ifNoItem().after(config.maxQueueWait().plus(config.writeTimeout())).failWith(() ->
                new ContificoException.Unavailable("Contifico calls of integration " + c.integrationId()
                        + " waited too long for a turn", 0, false, null));
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
        volatile Cancellable running;
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

        synchronized long pausedFor() {
            return Math.max(0, pausedUntil - System.currentTimeMillis());
        }

        void enqueue(Turn t) {
            synchronized (this) {
                (t.sale ? sales : background).addLast(t);
            }
            dispatch();
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
                }
                next.start.run();
            }
        }
    }
}
