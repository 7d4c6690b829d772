package ec.stocksync.movement;

import ec.stocksync.sync.AdvisoryLocks;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker: claims due movements (FOR UPDATE SKIP LOCKED, under a lease named after {@code owner}), groups them per
 * (store, SKU, kind) and runs one push {@code Uni} per group, never more than {@code concurrency} movements at once.
 * Several pools (replicas, or two pools in one test) share the queue safely: all coordination is in PostgreSQL.
 */
public class WorkerPool {

    private static final Logger LOG = Logger.getLogger(WorkerPool.class);

    private final String owner;
    private final Vertx vertx;
    private final MovementRepository repo;
    private final InventoryPushService pushes;
    private final WorkerConfig config;
    private final AdvisoryLocks locks;

    private final Set<Long> leased = ConcurrentHashMap.newKeySet();
    /** The (store, SKU) pairs this worker is pushing, with how many push units of each are in flight. */
    private final Map<SkuKey, Integer> busy = new ConcurrentHashMap<>();

    private record SkuKey(long storeId, String sku) {
    }

    /** One push unit: a store's SKU and kind, and for movements in doubt, the reference that settles them. */
    /** Per location too: movements of two locations may be booked in two warehouses (issue 14 D). */
    private record GroupKey(long storeId, String sku, MovementKind kind, String location, String doubtReference) {
    }
    /** The push units in flight, so a shutdown that cannot wait for them any longer can cut them. */
    private final Map<Long, Cancellable> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong units = new AtomicLong();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean running;
    private long pollTimer = -1;
    private long renewTimer = -1;

    WorkerPool(String owner, Vertx vertx, MovementRepository repo, InventoryPushService pushes, WorkerConfig config,
               AdvisoryLocks locks) {
        this.owner = owner;
        this.locks = locks;
        this.vertx = vertx;
        this.repo = repo;
        this.pushes = pushes;
        this.config = config;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
        renewTimer = vertx.setPeriodic(config.leaseRenewInterval().toMillis(), id -> renewLeases());
        LOG.infof("worker %s started (concurrency %d)", owner, config.concurrency());
        wake();
    }

    public String owner() {
        return owner;
    }

    /** Stops claiming; movements in flight go on (see {@link #drain}). */
    public synchronized void stop() {
        running = false;
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
        }
        if (renewTimer >= 0) {
            vertx.cancelTimer(renewTimer);
        }
        pollTimer = renewTimer = -1;
    }

    /** New work may be due (NOTIFY, a finished push, the poll). */
    public void wake() {
        if (!running) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        // No more than could be locked now: a unit claimed without a lock slot would only be put back.
        int free = Math.min(config.concurrency() - leased.size(), locks.freeSlots());
        if (free <= 0) {
            claiming.set(false);
            return;
        }
        List<Long> busyStores = new ArrayList<>();
        List<String> busySkus = new ArrayList<>();
        busy.forEach((key, n) -> {
            busyStores.add(key.storeId());
            busySkus.add(key.sku());
        });
        repo.claimDue(owner, config.lease(), free, busyStores, busySkus).subscribe().with(claimed -> {
            claiming.set(false);
            dispatch(claimed);
            if (again.get() || claimed.size() == free) {
                wake();
            }
        }, failure -> {
            claiming.set(false);
            LOG.warnf("worker %s could not claim movements: %s", owner, failure.getMessage());
        });
    }

    private void poll() {
        repo.rescueExpired(config.outcomeUnknownDelay()).subscribe().with(n -> {
            if (n > 0) {
                LOG.warnf("worker %s took over %d movement(s) whose lease expired", owner, n);
            }
            wake();
        }, failure -> LOG.warnf("lease rescue failed: %s", failure.getMessage()));
    }

    private void dispatch(List<Movement> claimed) {
        Map<GroupKey, List<Movement>> groups = new LinkedHashMap<>();
        for (Movement m : claimed) {
            // In-doubt movements are settled by their reference, apart from fresh ones of the same SKU.
            GroupKey key = new GroupKey(m.storeId(), m.sku(), m.kind(), m.storefrontLocationId(), m.pushOutcomeUnknown() ? m.contificoReference() : null);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
        }
        for (List<Movement> group : groups.values()) {
            track(group);
            SkuKey key = new SkuKey(group.get(0).storeId(), group.get(0).sku());
            busy.merge(key, 1, Integer::sum);
            List<Long> mine = new ArrayList<>(group.stream().map(Movement::id).toList());
            long unit = units.incrementAndGet();
            Cancellable c = Uni.createFrom().deferred(() -> pushes.process(owner, group, more -> {
                        track(more);
                        synchronized (mine) {
                            more.forEach(m -> mine.add(m.id()));
                        }
                    }))
                    .subscribe().with(ok -> {
                        inFlight.remove(unit);
                        release(key, mine);
                    }, failure -> {
                        inFlight.remove(unit);
                        LOG.errorf(failure, "worker %s: push of %s ended abnormally", owner, mine);
                        release(key, mine);
                    });
            inFlight.put(unit, c);
        }
    }

    /**
     * At shutdown, after {@link #stop}: waits until the pushes in flight end or {@code deadline} passes, then cuts
     * those still running and gives every movement this worker still holds back to the queue at once, instead of
     * leaving them until their leases expire. Blocks: only for the shutdown thread.
     *
     * @return the movements given back
     */
    public int drain(long deadlineNanos, Duration inDoubtDelay) {
        while (!leased.isEmpty() && System.nanoTime() < deadlineNanos) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!inFlight.isEmpty()) {
            LOG.warnf("worker %s: %d push(es) still running at the shutdown deadline: cut", owner, inFlight.size());
            inFlight.values().forEach(Cancellable::cancel);
            inFlight.clear();
        }
        // Even with nothing in flight: a claim answered after stop() may have leased movements nobody pushes.
        return repo.releaseAll(owner, inDoubtDelay).await().atMost(Duration.ofSeconds(5));
    }

    private void track(List<Movement> ms) {
        ms.forEach(m -> leased.add(m.id()));
    }

    private void release(SkuKey key, List<Long> ids) {
        busy.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        synchronized (ids) {
            ids.forEach(leased::remove);
        }
        wake();
    }

    private void renewLeases() {
        List<Long> ids = List.copyOf(leased);
        if (ids.isEmpty()) {
            return;
        }
        repo.renewLeases(owner, ids, config.lease()).subscribe().with(n -> {
        }, failure -> LOG.warnf("worker %s could not renew leases: %s", owner, failure.getMessage()));
    }
}
