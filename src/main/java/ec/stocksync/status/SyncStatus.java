package ec.stocksync.status;

/**
 * The Estado column. Computed in SQL ({@link SyncStatusQuery}), in this order: a DEAD movement of the SKU that no
 * operator dismissed → ERROR (its units stay reserved until it is retried or dismissed, whatever came after it);
 * movements of the SKU still queued → PENDING; its last pull failed → ERROR; never pulled → PENDING; then the two
 * figures decide.
 */
public enum SyncStatus {
    SYNCED, MISMATCH, PENDING, ERROR
}
