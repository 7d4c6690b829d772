package ec.stocksync.storefront;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings of the Shopify and WooCommerce clients ({@code stocksync.storefront.*}). */
@ConfigMapping(prefix = "stocksync.storefront")
public interface StorefrontConfig {

    /** Upper bound for one read (connect + request + full response); a hung call fails after this. */
    @WithDefault("15s")
    Duration requestTimeout();

    /** Upper bound for one stock write (a single quantity or a batch of them); a timed-out write is retried. */
    @WithDefault("15s")
    Duration writeTimeout();

    @WithDefault("5s")
    Duration connectTimeout();

    /** Connections per storefront host; Shopify throttles long before this matters. */
    @WithDefault("16")
    int maxConnectionsPerHost();

    Retry retry();

    Shopify shopify();

    WooCommerce woocommerce();

    interface Retry {
        /** Retries after the first attempt, for transient failures only (timeouts, 5xx, 429/THROTTLED, dropped connections). */
        @WithDefault("4")
        int maxRetries();

        @WithDefault("500ms")
        Duration initialBackoff();

        @WithDefault("20s")
        Duration maxBackoff();

        /** A server's Retry-After is honoured up to this much; beyond it we would rather fail and let the caller reschedule. */
        @WithDefault("60s")
        Duration maxRetryAfter();
    }

    interface Shopify {
        /** From 2026-04 on, {@code @idempotent} and {@code changeFromQuantity} are mandatory on inventorySetQuantities. */
        @WithDefault("2026-04")
        String apiVersion();

        /** How many times a stale compare-and-set is re-read and retried before giving up with a conflict. */
        @WithDefault("3")
        int staleRetries();

        /** Variants per catalogue page (Shopify allows up to 250; inventory levels make each node costly). */
        @WithDefault("100")
        int pageSize();

        /** Quantities per inventorySetQuantities call in a batch. */
        @WithDefault("100")
        int batchSize();
    }

    interface WooCommerce {
        /** WooCommerce caps per_page at 100. */
        @WithDefault("100")
        int pageSize();

        /** WooCommerce refuses batches of more than 100 objects. */
        @WithDefault("100")
        int batchSize();
    }
}
