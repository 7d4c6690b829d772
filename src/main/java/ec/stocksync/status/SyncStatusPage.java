package ec.stocksync.status;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The answer of {@code GET /api/sync-status}. */
@RegisterForReflection
public record SyncStatusPage(long storeId, List<SyncStatusRow> items, int page, int size, long total, String sort,
                             Summary summary) {

    /**
     * Counts per status over the whole store (filters do not apply, so the filter chips can show them), and the store's
     * queue. {@code oldestPendingAgeSeconds} is left out of the ETag: it grows every second while anything waits, and
     * the dashboard derives it from {@code oldestPendingAt} anyway. {@code deadMovements} counts only the DEAD
     * movements no operator dismissed: the ones that still need attention.
     */
    @RegisterForReflection
    public record Summary(long skus, Map<SyncStatus, Long> counts, long queueDepth, long deadMovements,
                          OffsetDateTime oldestPendingAt, Long oldestPendingAgeSeconds) {
    }
}
