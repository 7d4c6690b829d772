package ec.stocksync.sync;

import ec.stocksync.store.StoreContext;

import java.util.ArrayList;
import java.util.List;

/**
 * One pull run while it executes: what it was asked, its counters and the results so far. Results arrive from
 * concurrent reads, so every mutator is synchronized.
 */
final class RunState {

    final long id;
    final StoreContext ctx;
    final PullMode mode;
    final SyncOptions options;
    final SyncTrigger trigger;

    private Integer total;
    private int processed;
    private int updated;
    private int unchanged;
    private int skipped;
    private int failed;
    private final List<PullRunView.SkuError> errors = new ArrayList<>();
    private final List<SkuPullResult> changes = new ArrayList<>();
    private List<String> zeroing = List.of();
    private PullDetails.Signals signals;
    private String reason;
    private Integer guardBase;
    private final java.util.Set<String> failedSkus = new java.util.HashSet<>();
    private DeltaSignals.Observed observed;

    RunState(long id, StoreContext ctx, PullMode mode, SyncOptions options, SyncTrigger trigger) {
        this.id = id;
        this.ctx = ctx;
        this.mode = mode;
        this.options = options;
        this.trigger = trigger;
    }

    long storeId() {
        return ctx.storeId();
    }

    synchronized void total(int n) {
        total = n;
    }

    synchronized int totalOrZero() {
        return total == null ? 0 : total;
    }

    /** SKUs whose figures were read (their outcome may still be a pending write). */
    synchronized void read(int n) {
        processed += n;
    }

    /** A SKU's final outcome. */
    synchronized void settle(SkuPullResult r) {
        switch (r.action()) {
            case UPDATED, DRY_RUN -> {
                updated++;
                if (changes.size() < PullDetails.MAX_CHANGES) {
                    changes.add(r);
                }
            }
            case UNCHANGED -> unchanged++;
            case ERROR -> {
                failed++;
                failedSkus.add(r.sku());
                if (errors.size() < PullDetails.MAX_ERRORS) {
                    errors.add(new PullRunView.SkuError(r.sku(), r.error()));
                }
            }
            default -> {
                skipped++;
                if (r.action() != SyncAction.SKIPPED_UNMANAGED && r.action() != SyncAction.SKIPPED_NOT_SYNCED) {
                    failedSkus.add(r.sku());
                }
            }
        }
    }

    /**
     * The outcome of a SKU at a mapped location other than the store's own (issue 14 D): shown among the run's changes
     * and errors as {@code SKU @ location}, not counted (the counters are per SKU); a failure is flagged again by the
     * next delta pull like any other.
     */
    synchronized void atLocation(String location, SkuPullResult r) {
        SkuPullResult shown = new SkuPullResult(r.sku() + " @ " + location, r.action(), r.contificoStock(),
                r.storeStockBefore(), r.storeStockAfter(), r.error());
        if ((r.action() == SyncAction.UPDATED || r.action() == SyncAction.DRY_RUN) && changes.size() < PullDetails.MAX_CHANGES) {
            changes.add(shown);
        } else if (r.action() == SyncAction.ERROR) {
            failedSkus.add(r.sku());
            if (errors.size() < PullDetails.MAX_ERRORS) {
                errors.add(new PullRunView.SkuError(shown.sku(), r.error()));
            }
        }
    }

    synchronized void settleAll(List<SkuPullResult> results) {
        results.forEach(this::settle);
    }

    synchronized void zeroing(List<String> skus) {
        zeroing = skus.size() > PullDetails.MAX_ZEROING ? List.copyOf(skus.subList(0, PullDetails.MAX_ZEROING))
                : List.copyOf(skus);
    }

    synchronized void signals(PullDetails.Signals s) {
        signals = s;
    }

    synchronized void observed(DeltaSignals.Observed o) {
        observed = o;
    }

    synchronized DeltaSignals.Observed observed() {
        return observed;
    }

    /**
     * SKUs whose figure this run did not settle (failed, or held back for a recent push or a newer movement): their
     * change signals must flag them again next time.
     */
    synchronized java.util.Set<String> unsettledSkus() {
        return java.util.Set.copyOf(failedSkus);
    }

    /**
     * What the zeroing guard measures against: the run's own SKUs, except for a delta run, whose SKUs are by design the
     * ones that changed (real sell-outs among them): there, the store's mapped SKUs.
     */
    synchronized void guardBase(int n) {
        guardBase = n;
    }

    synchronized int guardBaseOrTotal() {
        return guardBase != null ? guardBase : totalOrZero();
    }

    synchronized void reason(String r) {
        reason = r;
    }

    synchronized String reason() {
        return reason;
    }

    synchronized PullRuns.Counts counts() {
        return new PullRuns.Counts(total, processed, updated, unchanged, skipped, failed);
    }

    synchronized PullDetails details() {
        return new PullDetails(List.copyOf(errors), List.copyOf(changes), zeroing, signals);
    }

    synchronized String describe() {
        return String.format("%d/%s read, %d updated, %d unchanged, %d skipped, %d failed", processed, total, updated,
                unchanged, skipped, failed);
    }
}
