package ec.stocksync.sync;

import ec.stocksync.cluster.TryLock;
import ec.stocksync.common.ApiException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Granular Postgres advisory locks (DESIGN rule 3). A lock is a transaction-scoped try-lock held by an otherwise idle
 * transaction for as long as the work runs: it is released by commit, rollback or a dropped connection, so no failure
 * path can leak it, and nothing ever waits for a lock on the event loop. Push locks (store, SKU), pull locks (store)
 * and reconcile locks (store) live in separate key spaces and never block each other.
 *
 * <p>Each held lock pins a pooled connection while its work queries on others, so the locks held at once are kept
 * within a {@link LockBudget} that leaves connections free for those queries: however small the pool and however high
 * the worker's concurrency, lock holders never take the last connection they themselves need. A pull counts twice: it
 * holds its pull lock and, while it writes, the push locks of a batch.
 */
@ApplicationScoped
public class AdvisoryLocks {

    private static final Logger LOG = Logger.getLogger(AdvisoryLocks.class);

    /** Below this, a pull (two slots) and a push could not both run: the service refuses to start. */
    static final int MIN_POOL_SIZE = 4;
    static final int PULL_SLOTS = 2;

    /** The same keys as {@link TryLock#SQL}, for many SKUs in one round trip. */
    static final String PUSH_LOCKS_SQL = "SELECT s FROM unnest($1::text[]) AS s"
            + " WHERE pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || ($2 || s), 0))";

    @Inject
    Pool pool;
    @ConfigProperty(name = "quarkus.datasource.reactive.max-size", defaultValue = "20")
    int poolSize;
    @ConfigProperty(name = "stocksync.worker.concurrency", defaultValue = "8")
    int workerConcurrency;
    /** How long a pull or reconciliation waits for its turn when locks hold every connection they may. */
    @ConfigProperty(name = "stocksync.locks.max-wait", defaultValue = "30s")
    Duration maxWait;

    private LockBudget budget;

    @PostConstruct
    void sizeBudget() {
        if (poolSize < MIN_POOL_SIZE) {
            throw new IllegalStateException("quarkus.datasource.reactive.max-size is " + poolSize + ": stock-sync needs"
                    + " at least " + MIN_POOL_SIZE + " pooled connections (locks pin connections while their work"
                    + " queries on others); raise STOCKSYNC_DB_POOL_SIZE");
        }
        // A quarter of the pool, and never fewer than two connections, stays free for the queries of lock holders
        // and for request traffic.
        budget = new LockBudget(poolSize - Math.max(2, (poolSize + 3) / 4));
    }

    /** Also makes the bean (and so {@link #sizeBudget}'s refusal of a too small pool) happen at start, not at first use. */
    void checkAtStart(@Observes StartupEvent event) {
        if (budget.capacity() < workerConcurrency) {
            LOG.warnf("a pool of %d connections lets %d locks be held at once: the worker's concurrency of %d is"
                    + " capped to that; raise STOCKSYNC_DB_POOL_SIZE to push more SKUs at once", poolSize,
                    budget.capacity(), workerConcurrency);
        }
    }

    /** Lock slots free right now: the worker claims no more push units than it could lock. */
    public int freeSlots() {
        return budget.available();
    }

    /**
     * Runs {@code work} holding the push lock of (store, SKU); empty when another worker holds it, or when locks hold
     * every connection they may (the caller treats both alike: try again shortly).
     */
    public <T> Uni<Optional<T>> withPushLock(long storeId, String sku, Supplier<Uni<T>> work) {
        return budget.tryWith(1, () -> withLock("push:" + storeId + ":" + sku, work));
    }

    /**
     * Tries the push locks of several SKUs at once (one statement) and runs {@code work} with the SKUs it got, holding
     * them until {@code work} ends. A pull writes a SKU only under its push lock: no push of that SKU, and so no
     * post-push pull, can run between the pull's last check and its storefront write.
     *
     * @param insidePull true when called under a pull lock, whose slots already cover this connection
     */
    public <T> Uni<T> withPushLocks(long storeId, Collection<String> skus, boolean insidePull,
                                    Function<Set<String>, Uni<T>> work) {
        Supplier<Uni<T>> locked = () -> pool.withTransaction(tx -> tx.preparedQuery(PUSH_LOCKS_SQL)
                .execute(Tuple.of(skus.toArray(new String[0]), "push:" + storeId + ":"))
                .chain(rows -> {
                    Set<String> got = new HashSet<>();
                    rows.forEach(r -> got.add(r.getString(0)));
                    return work.apply(got);
                }));
        return insidePull ? locked.get() : waitFor(1, locked);
    }

    /** Runs {@code work} holding the store's pull lock; empty when a pull of that store runs elsewhere. */
    public <T> Uni<Optional<T>> withPullLock(long storeId, Supplier<Uni<T>> work) {
        return waitFor(PULL_SLOTS, () -> withLock("pull:" + storeId, work));
    }

    /**
     * Whether some session holds the store's pull lock right now. Looks at {@code pg_locks} instead of trying the lock,
     * so asking never makes a pull that starts at that moment fail with 409.
     */
    public Uni<Boolean> pullLockHeld(long storeId) {
        return pool.preparedQuery("""
                        SELECT EXISTS (SELECT 1 FROM pg_locks
                                       WHERE locktype = 'advisory' AND granted AND objsubid = 1
                                         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                         AND ((classid::bigint << 32) | objid::bigint)
                                             = hashtextextended(current_schema() || ':' || $1, 0))""")
                .execute(Tuple.of("pull:" + storeId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Runs {@code work} holding the store's reconcile lock; empty when a reconciliation of that store runs elsewhere. */
    public <T> Uni<Optional<T>> withReconcileLock(long storeId, Supplier<Uni<T>> work) {
        return waitFor(1, () -> withLock("reconcile:" + storeId, work));
    }

    private <T> Uni<T> waitFor(int slots, Supplier<Uni<T>> work) {
        return budget.with(slots, work, maxWait, () -> ApiException.unavailable("database_busy",
                "Every database connection that locks may take is in use; try again in a moment."));
    }

    private <T> Uni<Optional<T>> withLock(String key, Supplier<Uni<T>> work) {
        return pool.withTransaction(tx -> tx.preparedQuery(TryLock.SQL)
                .execute(Tuple.of(key))
                .chain(rows -> rows.iterator().next().getBoolean(0)
                        ? work.get().map(Optional::ofNullable)
                        : Uni.createFrom().item(Optional.<T>empty())));
    }
}
