package ec.stocksync.sync;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** What a full pull did; also stored on its {@code pull_runs} row. */
@RegisterForReflection
public record PullSummary(Long runId, long storeId, String trigger, boolean dryRun, int processed, long updated,
                          long unchanged, long skipped, long failed, long durationMs, List<SkuError> errors,
                          List<SkuPullResult> changes) {

    /** The first errors of a run, enough to see what went wrong without flooding the answer. */
    public static final int MAX_ERRORS = 20;
    /** The first SKUs written (or, in a dry run, that would be), for the preview. */
    public static final int MAX_CHANGES = 100;

    @RegisterForReflection
    public record SkuError(String sku, String error) {
    }

    static PullSummary of(Long runId, long storeId, SyncTrigger trigger, boolean dryRun, List<SkuPullResult> results,
                          long durationMs) {
        return new PullSummary(runId, storeId, trigger.name(), dryRun, results.size(),
                results.stream().filter(r -> r.action() == SyncAction.UPDATED || r.action() == SyncAction.DRY_RUN).count(),
                count(results, SyncAction.UNCHANGED), count(results, SyncAction.SKIPPED_RECENT_PUSH),
                count(results, SyncAction.ERROR), durationMs,
                results.stream().filter(r -> r.action() == SyncAction.ERROR).limit(MAX_ERRORS)
                        .map(r -> new SkuError(r.sku(), r.error())).toList(),
                results.stream().filter(r -> r.action() == SyncAction.UPDATED || r.action() == SyncAction.DRY_RUN)
                        .limit(MAX_CHANGES).toList());
    }

    private static long count(List<SkuPullResult> results, SyncAction action) {
        return results.stream().filter(r -> r.action() == action).count();
    }
}
