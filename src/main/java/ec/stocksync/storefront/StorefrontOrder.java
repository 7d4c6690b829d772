package ec.stocksync.storefront;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One order as the storefront's admin API lists it. {@code json} has the shape the platform's order webhooks carry
 * (Shopify REST order with its {@code refunds[]}; WooCommerce REST v3 order), so the webhook parsers read it unchanged.
 * Jackson's tree keeps Shopify's ids above 2^53 exact.
 *
 * @param modifiedAt the storefront's own last-modified time (Shopify {@code updated_at}, WooCommerce
 *                   {@code date_modified_gmt}); {@code null} when absent or unreadable
 */
public record StorefrontOrder(String id, Instant modifiedAt, JsonNode json) {
}
