package ec.stocksync.movement;

import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;

/** A row of {@code inventory_movements_queue}. */
public record Movement(long id, long storeId, Long integrationId, String sku, MovementKind kind, int quantity,
                       String businessKey, String orderId, String orderName, MovementStatus status, int attempts,
                       OffsetDateTime nextAttemptAt, String lastError, boolean pushOutcomeUnknown,
                       String contificoMovementId, String contificoReference, OffsetDateTime createdAt,
                       OffsetDateTime pushedAt, OffsetDateTime doneAt, OffsetDateTime inDoubtSince,
                       OffsetDateTime dismissedAt, String dismissedReason, String dismissedBy,
                       String storefrontLocationId, String contificoWarehouseId) {

    public static final String COLUMNS = " id, store_id, integration_id, sku, kind, quantity, business_key, order_id,"
            + " order_name, status, attempts, next_attempt_at, last_error, push_outcome_unknown, contifico_movement_id,"
            + " contifico_reference, created_at, pushed_at, done_at, in_doubt_since, dismissed_at, dismissed_reason,"
            + " dismissed_by, storefront_location_id, contifico_warehouse_id";

    public static Movement from(Row r) {
        return new Movement(r.getLong("id"), r.getLong("store_id"), r.getLong("integration_id"), r.getString("sku"),
                MovementKind.valueOf(r.getString("kind")), r.getInteger("quantity"), r.getString("business_key"),
                r.getString("order_id"), r.getString("order_name"), MovementStatus.valueOf(r.getString("status")),
                r.getInteger("attempts"), r.getOffsetDateTime("next_attempt_at"), r.getString("last_error"),
                r.getBoolean("push_outcome_unknown"), r.getString("contifico_movement_id"),
                r.getString("contifico_reference"), r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("pushed_at"), r.getOffsetDateTime("done_at"), r.getOffsetDateTime("in_doubt_since"),
                r.getOffsetDateTime("dismissed_at"), r.getString("dismissed_reason"), r.getString("dismissed_by"),
                r.getString("storefront_location_id"), r.getString("contifico_warehouse_id"));
    }

    /** Signed effect on stock: a sale takes units out. */
    public int signedQuantity() {
        return kind == MovementKind.SALE ? -quantity : quantity;
    }
}
