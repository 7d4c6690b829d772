package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Retention of the tables the pulls write, for the retention job; the statements are their tables' repositories'. One
 * bounded DELETE per call, so a purge never holds a big table's locks for long (the caller loops). Each batch is
 * idempotent, and rows another transaction holds are skipped, never waited for.
 */
@ApplicationScoped
public class SyncRetention {

    @Inject
    SyncLogs logs;
    @Inject
    PullRuns runs;

    /** See {@link SyncLogs#purgeBatch}. */
    public Uni<Integer> purgeSyncLogsBatch(Duration olderThan, int limit) {
        return logs.purgeBatch(olderThan, limit);
    }

    /** See {@link PullRuns#purgeBatch}. */
    public Uni<Integer> purgePullRunsBatch(Duration olderThan, int limit) {
        return runs.purgeBatch(olderThan, limit);
    }
}
