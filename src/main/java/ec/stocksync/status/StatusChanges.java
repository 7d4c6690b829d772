package ec.stocksync.status;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Retention of the status change feed ({@code status_changes}, V25), for the retention job. A snapshot patch needs
 * only the changes since its snapshot was read, and snapshots are patched or read again on every poll of a changed
 * store, so an hour of feed is plenty; a snapshot older than what was pruned is read again in full.
 */
@ApplicationScoped
public class StatusChanges {

    @Inject
    Pool pool;

    /**
     * Deletes up to {@code limit} change rows older than {@code olderThan}, and raises the pruned mark to the highest
     * transaction id deleted in the same statement (so in the same transaction): a patch that sees the deletion sees
     * the mark, and refuses a snapshot that might have missed a deleted change (its xmin not above the mark).
     */
    public Uni<Integer> purgeBatch(Duration olderThan, int limit) {
        return pool.preparedQuery("""
                        WITH gone AS (
                          DELETE FROM status_changes WHERE ctid = ANY(ARRAY(
                            SELECT ctid FROM status_changes WHERE created_at < now() - make_interval(secs => $1)
                            LIMIT $2))
                          RETURNING xid),
                        mark AS (
                          UPDATE status_changes_pruned SET xid = greatest(xid, (SELECT max(xid) FROM gone))
                          WHERE EXISTS (SELECT 1 FROM gone))
                        SELECT count(*) FROM gone""")
                .execute(Tuple.of(olderThan.toMillis() / 1000.0, limit))
                .map(rows -> rows.iterator().next().getLong(0).intValue());
    }
}
