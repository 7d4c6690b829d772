package ec.stocksync.storefront;

/**
 * One absolute stock write.
 *
 * @param expectedCurrent what we last saw on the storefront; Shopify refuses the write when it no longer matches
 *                        ({@code null} skips the comparison). WooCommerce has no compare-and-set and ignores it.
 */
public record StockWrite(StorefrontItem item, Integer expectedCurrent, int newQuantity) {
}
