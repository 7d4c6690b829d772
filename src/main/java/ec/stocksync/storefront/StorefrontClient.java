package ec.stocksync.storefront;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.time.Instant;
import java.util.List;

/**
 * Stock operations on one store's storefront (Shopify or WooCommerce). Obtain instances from {@link StorefrontClients}.
 * Every method is non-blocking, bounded by a timeout, and retries transient failures itself; what still fails arrives
 * as a {@link StorefrontException}.
 */
public interface StorefrontClient {

    /** The variant (Shopify) or product/variation (WooCommerce) with exactly this SKU; fails with {@link StorefrontException.Kind#NOT_FOUND}. */
    Uni<StorefrontItem> findBySku(String sku);

    /** The item's current stock, freshly read. */
    Uni<StorefrontItem> readStock(StorefrontItem item);

    /**
     * Sets the item's absolute stock. On Shopify the write is a compare-and-set against {@code expectedCurrent}
     * ({@code null} opts out). A stale expectation means the storefront moved on its own (a sale, say) since it was
     * read: the stock is re-read and the target moved by the same amount, so that change is kept, a bounded number of
     * times, then it fails with {@link StorefrontException.Kind#CONFLICT}.
     *
     * @return the item carrying the stock the storefront now holds
     */
    Uni<StorefrontItem> setStock(StorefrontItem item, Integer expectedCurrent, int newQuantity);

    /** Several writes in as few requests as the platform allows; one result per write, in input order. */
    Uni<List<StockWriteResult>> setStocks(List<StockWrite> writes);

    /** Every stock-keeping unit of the store, page by page (lazily: a page is fetched when the previous one is consumed). */
    Multi<StorefrontItem> catalogue();

    /**
     * Every order changed at or after {@code since} (the storefront's clock), page by page, lazily. Paging is stable
     * under concurrent edits (Shopify cursors, WooCommerce by id): an order may be listed twice, never skipped.
     */
    Multi<StorefrontOrder> ordersChangedSince(Instant since);

    /**
     * The same storefront, reading and writing stock at another location (a Shopify location id, number or gid; issue
     * 14 D). WooCommerce has one stock: the same client. Cheap: it shares this client's connections.
     */
    StorefrontClient atLocation(String locationId);

    /**
     * The storefront's active locations: Shopify's (every page of 250, Shopify's page maximum, up to
     * a cap), or WooCommerce's one
     * ({@link StorefrontLocation#WOOCOMMERCE_ID}, no call made).
     */
    Uni<List<StorefrontLocation>> locations();

    /**
     * One order as its webhooks carry it (Shopify REST order with {@code refunds[]}, WooCommerce REST v3 order); fails
     * with {@link StorefrontException.Kind#NOT_FOUND} when the storefront has no such order.
     */
    Uni<JsonNode> order(String orderId);

    /**
     * An order's refunds with their lines (WooCommerce {@code GET /orders/{id}/refunds}, negative quantities);
     * Shopify's refunds come inside the order, so it has none of its own.
     */
    default Uni<JsonNode> refunds(String orderId) {
        return Uni.createFrom().failure(new UnsupportedOperationException("refunds are read with the order on this platform"));
    }

    /** Every webhook subscription the store's credentials can see (this app's on Shopify; all of them on WooCommerce). */
    Uni<List<WebhookSubscription>> webhooks();

    /**
     * Subscribes {@code url} to {@code topic} (the platform's header name). WooCommerce signs with {@code secret};
     * Shopify signs with the app's client secret and ignores it. A subscription that already exists for the same topic
     * and address is returned as is (a retried create cannot make a second one).
     */
    Uni<WebhookSubscription> subscribe(String topic, String url, String secret);

    /** Removes one subscription by id; one already gone is not an error. */
    Uni<Void> unsubscribe(String id);
}
