package ec.stocksync.storefront;

/**
 * One sellable unit on a storefront, as found by SKU or in the catalogue.
 *
 * @param productId       Shopify product gid, or WooCommerce product id (the parent, for a variation)
 * @param variantId       Shopify variant gid, or WooCommerce variation id ({@code null} for a simple product)
 * @param inventoryItemId Shopify inventory item gid ({@code null} on WooCommerce)
 * @param stock           available quantity at the store's location; {@code null} when the platform does not track it
 * @param managed         whether the platform tracks stock for it (Shopify {@code tracked}, WooCommerce {@code manage_stock})
 */
public record StorefrontItem(String sku, String name, String productId, String variantId, String inventoryItemId,
                             Integer stock, boolean managed) {

    public StorefrontItem withStock(Integer newStock, boolean nowManaged) {
        return new StorefrontItem(sku, name, productId, variantId, inventoryItemId, newStock, nowManaged);
    }

    /** True for a WooCommerce variation (written under its parent product). */
    public boolean isVariation() {
        return variantId != null && inventoryItemId == null;
    }
}
