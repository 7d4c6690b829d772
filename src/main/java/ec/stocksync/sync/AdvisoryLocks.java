package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
 */
@ApplicationScoped
public class AdvisoryLocks {

    /**
     * The try-lock of a key such as {@code push:1:SKU}. Advisory locks are database-wide: the schema in the key keeps
     * two deployments that share a database apart.
     */
    public static final String TRY_LOCK_SQL =
            "SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))";

    /** The same keys as {@link #TRY_LOCK_SQL}, for many SKUs in one round trip. */
    static final String PUSH_LOCKS_SQL = "SELECT s FROM unnest($1::text[]) AS s"
            + " WHERE pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || ($2 || s), 0))";

    @Inject
    Pool pool;

    /** Runs {@code work} holding the push lock of (store, SKU); empty when another worker holds it. */
    public <T> Uni<Optional<T>> withPushLock(long storeId, String sku, Supplier<Uni<T>> work) {
        return withLock("push:" + storeId + ":" + sku, work);
    }

    /**
     * Tries the push locks of several SKUs at once (one statement) and runs {@code work} with the SKUs it got, holding
     * them until {@code work} ends. A pull writes a SKU only under its push lock: no push of that SKU, and so no
     * post-push pull, can run between the pull's last check and its storefront write.
     */
    public <T> Uni<T> withPushLocks(long storeId, Collection<String> skus, Function<Set<String>, Uni<T>> work) {
        return pool.withTransaction(tx -> tx.preparedQuery(PUSH_LOCKS_SQL)
                .execute(Tuple.of(skus.toArray(new String[0]), "push:" + storeId + ":"))
                .chain(rows -> {
                    Set<String> locked = new HashSet<>();
                    rows.forEach(r -> locked.add(r.getString(0)));
                    return work.apply(locked);
                }));
    }

    /** Runs {@code work} holding the store's pull lock; empty when a pull of that store runs elsewhere. */
    public <T> Uni<Optional<T>> withPullLock(long storeId, Supplier<Uni<T>> work) {
        return withLock("pull:" + storeId, work);
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
