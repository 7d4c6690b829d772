package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Retention of the tables the pulls write: one bounded DELETE per call, so a purge never holds a big table's locks for
 * long (the caller loops). Each batch is idempotent, and rows another transaction holds are skipped, never waited for.
 */
@ApplicationScoped
public class SyncRetention {

    @Inject
    Pool pool;

    /**
     * Deletes up to {@code limit} sync_logs rows older than {@code olderThan}. The status table does not need them:
     * {@code sync_status_latest} keeps its own copy of each SKU's newest row (V10).
     */
    public Uni<Integer> purgeSyncLogsBatch(Duration olderThan, int limit) {
        return delete("""
                DELETE FROM sync_logs
                WHERE id IN (SELECT id FROM sync_logs WHERE created_at < now() - make_interval(secs => $1)
                             LIMIT $2 FOR UPDATE SKIP LOCKED)""", olderThan, limit);
    }

    /**
     * Deletes up to {@code limit} pull runs finished longer ago than {@code olderThan}. A RUNNING run is never touched,
     * however old: it may still be writing. Logs that outlive their run lose only the link (V12).
     */
    public Uni<Integer> purgePullRunsBatch(Duration olderThan, int limit) {
        return delete("""
                DELETE FROM pull_runs
                WHERE id IN (SELECT id FROM pull_runs
                             WHERE status <> 'RUNNING' AND finished_at < now() - make_interval(secs => $1)
                             LIMIT $2 FOR UPDATE SKIP LOCKED)""", olderThan, limit);
    }

    private Uni<Integer> delete(String sql, Duration olderThan, int limit) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(olderThan.toMillis() / 1000.0, limit))
                .map(RowSet::rowCount);
    }
}
