package ec.stocksync.movement;

/**
 * A movement about to be queued. {@code businessKey} identifies the units it books (order + SKU + kind, refund line...)
 * so that no second delivery, topic or reconciliation can book them twice.
 */
public record MovementDraft(String sku, MovementKind kind, int quantity, String businessKey, String orderId,
                            String orderName) {
}
