package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Granular Postgres advisory locks (DESIGN rule 3). A lock is a transaction-scoped try-lock held by an otherwise idle
 * transaction for as long as the work runs: it is released by commit, rollback or a dropped connection, so no failure
 * path can leak it, and nothing ever waits for a lock on the event loop. Push locks (store, SKU), pull locks (store)
 * and reconcile locks (store) live in separate key spaces and never block each other.
 */
@ApplicationScoped
public class AdvisoryLocks {

    /**
     * The try-lock of a key such as {@code push:1:SKU}. Advisory locks are database-wide: the schema in the key keeps
     * two deployments that share a database apart.
     */
    public static final String TRY_LOCK_SQL =
            "SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))";

    @Inject
    Pool pool;

    /** Runs {@code work} holding the push lock of (store, SKU); empty when another worker holds it. */
    public <T> Uni<Optional<T>> withPushLock(long storeId, String sku, Supplier<Uni<T>> work) {
        return withLock("push:" + storeId + ":" + sku, work);
    }

    /** Runs {@code work} holding the store's pull lock; empty when a pull of that store runs elsewhere. */
    public <T> Uni<Optional<T>> withPullLock(long storeId, Supplier<Uni<T>> work) {
        return withLock("pull:" + storeId, work);
    }

    /** Runs {@code work} holding the store's reconcile lock; empty when a reconciliation of that store runs elsewhere. */
    public <T> Uni<Optional<T>> withReconcileLock(long storeId, Supplier<Uni<T>> work) {
        return withLock("reconcile:" + storeId, work);
    }

    private <T> Uni<Optional<T>> withLock(String key, Supplier<Uni<T>> work) {
        return pool.withTransaction(tx -> tx.preparedQuery(TRY_LOCK_SQL)
                .execute(Tuple.of(key))
                .chain(rows -> rows.iterator().next().getBoolean(0)
                        ? work.get().map(Optional::ofNullable)
                        : Uni.createFrom().item(Optional.<T>empty())));
    }
}
