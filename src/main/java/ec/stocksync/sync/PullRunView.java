package ec.stocksync.sync;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A pull run as the API shows it, while it runs and once it ended. {@code processed} counts the SKUs read so far out
 * of {@code total}; the outcome counters grow as SKUs are settled.
 *
 * @param mode   {@code FULL} (every mapped SKU), {@code DELTA} (the SKUs Contifico's change signals flag) or
 *               {@code SELECTIVE}
 * @param status RUNNING, DONE, FAILED, BLOCKED (it would have zeroed many SKUs: nothing was written, {@code force}
 *               overrides), CANCELLED or INTERRUPTED (its replica stopped)
 * @param reason why a run FAILED, was BLOCKED, CANCELLED or INTERRUPTED; for a dry run, a warning that a real pull
 *               would be blocked
 */
@RegisterForReflection
public record PullRunView(long id, long storeId, Long integrationId, String trigger, String mode, boolean dryRun,
                          boolean force, String status, Integer total, int processed, int updated, int unchanged,
                          int skipped, int failed, String reason, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                          Long durationMs, List<SkuError> errors, List<SkuPullResult> changes, List<String> zeroing,
                          PullDetails.Signals signals) {

    @RegisterForReflection
    public record SkuError(String sku, String error) {
    }
}
