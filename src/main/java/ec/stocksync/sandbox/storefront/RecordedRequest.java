package ec.stocksync.sandbox.storefront;

import java.time.Instant;

/**
 * A request a simulator received.
 *
 * @param endpoint the simulator's name for what was called (Shopify: the GraphQL root field; WooCommerce: method and
 *                 path pattern such as {@code PUT /products/{id}})
 */
public record RecordedRequest(String method, String path, String query, String body, String endpoint, Instant at) {
}
