package ec.stocksync.sync;

/** What a pull did for one SKU (column {@code sync_logs.action}). */
public enum SyncAction {
    UPDATED, UNCHANGED, SKIPPED_RECENT_PUSH, DRY_RUN, ERROR
}
