package ec.stocksync.cluster;

/**
 * The one statement behind every advisory lock: a transaction-scoped try-lock of a text key such as
 * {@code push:1:SKU} or {@code retention}. It lives here, with the other cross-replica coordination, so that any
 * package (the store registry's secret rotation included) can take a lock without depending on the pulls.
 */
public final class TryLock {

    /**
     * Advisory locks are database-wide: the schema in the key keeps two deployments that share a database apart. The
     * hash spelled here is the one {@code sync.AdvisoryLocks} uses for many keys at once; keep them the same.
     */
    public static final String SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))";

    private TryLock() {
    }
}
