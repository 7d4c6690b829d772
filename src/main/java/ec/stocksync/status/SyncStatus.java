package ec.stocksync.status;

/**
 * The Estado column. Computed in SQL ({@link SyncStatusQuery}), in this order: movements of the SKU still queued
 * → PENDING; its last push DEAD or its last pull failed → ERROR; never pulled → PENDING; then the two figures decide.
 */
public enum SyncStatus {
    SYNCED, MISMATCH, PENDING, ERROR
}
