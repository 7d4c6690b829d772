package ec.stocksync.storefront;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One webhook subscription as the storefront lists it. {@code topic} uses the names the webhooks carry in their topic
 * header ({@code orders/create} on Shopify, {@code order.created} on WooCommerce); {@code status} is WooCommerce's
 * ({@code active}, {@code paused}, {@code disabled}), always {@code active} on Shopify, which has no such state.
 */
@RegisterForReflection
public record WebhookSubscription(String id, String topic, String url, String status) {
}
