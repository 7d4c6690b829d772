package ec.stocksync.storefront;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One webhook subscription as the storefront lists it. {@code topic} uses the names the webhooks carry in their topic
 * header ({@code orders/create} on Shopify, {@code order.created} on WooCommerce); {@code status} is WooCommerce's
 * ({@code active}, {@code paused}, {@code disabled}), always {@code active} on Shopify, which has no such state.
 * {@code secretSha256}: WooCommerce lists each webhook's secret; only its hash is kept, to recognise our own.
 */
@RegisterForReflection
public record WebhookSubscription(String id, String topic, String url, String status,
                                  @com.fasterxml.jackson.annotation.JsonIgnore String secretSha256) {

    /** A SHA-256 of a webhook secret, hex, to compare with the one a storefront lists without keeping either. */
    public static String sha256(String secret) {
        if (secret == null) {
            return null;
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same subscription with its address shown as scheme, host and path only (queries often carry tokens). */
    public WebhookSubscription masked() {
        return new WebhookSubscription(id, topic, mask(url), status, null);
    }

    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        try {
            java.net.URI u = java.net.URI.create(url);
            if (u.getHost() == null) {
                return "(not a URL)";
            }
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                    + (u.getRawPath() == null ? "" : u.getRawPath());
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }
}
