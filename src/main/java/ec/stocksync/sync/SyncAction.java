package ec.stocksync.sync;

/** What a pull did for one SKU (column {@code sync_logs.action}). */
public enum SyncAction {
    UPDATED,
    UNCHANGED,
    /** Pushed within the recent-push window: its own post-push pull owns the figure. */
    SKIPPED_RECENT_PUSH,
    /** A movement of the SKU arrived, was pushed or settled while the pull ran: that movement's pull publishes it. */
    SKIPPED_NEWER_MOVEMENT,
    /** The storefront does not manage this item's stock, and the store did not opt in to let pulls turn it on. */
    SKIPPED_UNMANAGED,
    /** An operator marked the SKU as not synced: nothing is read or written for it. */
    SKIPPED_NOT_SYNCED,
    DRY_RUN,
    ERROR;

    /** Whether a full or scheduled pull keeps a sync_logs row for it: what changed, failed or was held back. */
    public boolean logged() {
        return this != UNCHANGED && this != DRY_RUN;
    }

    public boolean skipped() {
        return this == SKIPPED_RECENT_PUSH || this == SKIPPED_NEWER_MOVEMENT || this == SKIPPED_UNMANAGED
                || this == SKIPPED_NOT_SYNCED;
    }
}
