package ec.stocksync.movement;

/**
 * A movement about to be queued. {@code businessKey} identifies the units it books (order + SKU + kind, refund line...)
 * so that no second delivery, topic or reconciliation can book them twice. {@code locationId}: the storefront
 * location that fulfils it (issue 14 D), which picks the Contifico warehouse it is booked in; null when none is named.
 */
public record MovementDraft(String sku, MovementKind kind, int quantity, String businessKey, String orderId,
                            String orderName, String locationId) {

    /** A movement whose delivery names no storefront location (WooCommerce; Shopify orders without one). */
    public MovementDraft(String sku, MovementKind kind, int quantity, String businessKey, String orderId,
                         String orderName) {
        this(sku, kind, quantity, businessKey, orderId, orderName, null);
    }
}
