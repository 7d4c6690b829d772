package ec.stocksync.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The service's own settings ({@code stocksync.*}). */
@ConfigMapping(prefix = "stocksync")
public interface StockSyncConfig {

    /** Bearer token required on everything under /api. */
    String adminToken();

    Webhook webhook();

    interface Webhook {
        /** Bodies larger than this are refused with 413 (Shopify and WooCommerce orders are a few KiB). */
        @WithDefault("1048576")
        int maxBodyBytes();

        /**
         * The address storefronts reach this service at (e.g. {@code https://stock.example.com}): webhook
         * registration subscribes {@code <this>/webhooks/<platform>/<storeId>}. Unset, registration is refused with a
         * message naming this setting; webhooks can still be registered by hand.
         */
        java.util.Optional<String> publicBaseUrl();
    }
}
