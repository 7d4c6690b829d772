package ec.stocksync.storefront;

import ec.stocksync.store.Platform;
import ec.stocksync.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Hands out the {@link StorefrontClient} of a store, choosing the platform and where its admin API lives. */
@ApplicationScoped
public class StorefrontClients {

    /** Everything a client is built from: when a store's credentials or URL change, its cached client is replaced. */
    private record ClientKey(String platform, String baseUrl, String accessToken, String consumerKey, String consumerSecret,
                             String locationId) {
    }

    private record Cached(ClientKey key, StorefrontClient client) {
    }

    private final StorefrontHttp http;
    private final io.vertx.mutiny.core.http.HttpClient httpClient;
    private final ConcurrentMap<Long, Cached> byStore = new ConcurrentHashMap<>();

    public StorefrontClients(Vertx vertx, StorefrontConfig config, MeterRegistry registry) {
        // One pooled HTTP client for every store: clients per store are thin and share its connections.
        this.httpClient = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.maxConnectionsPerHost())
                .setKeepAlive(true)
                .setDecompressionSupported(true));
        this.http = new StorefrontHttp(httpClient, config, registry);
    }

    @PreDestroy
    void close() {
        httpClient.closeAndForget();
    }

    /** The store's client; cached per store id while its platform, URL and credentials stay the same. */
    public StorefrontClient forStore(Store store) {
        Objects.requireNonNull(store, "store");
        ClientKey key = keyOf(store);
        if (store.id == null) {
            return create(key);
        }
        return byStore.compute(store.id, (id, cached) -> cached != null && cached.key().equals(key)
                ? cached : new Cached(key, create(key))).client();
    }

    /** Where the store's admin API lives: its {@code apiBaseUrl} override, else {@code https://{shopDomain}} or {@code siteUrl}. */
    public static String baseUrlOf(Store store) {
        Platform platform = Platform.fromCode(store.platform).orElseThrow(() ->
                StorefrontException.rejected(0, "unknown_platform", "store " + store.id + " has unknown platform " + store.platform));
        String base = blank(store.apiBaseUrl) ? null : store.apiBaseUrl.trim();
        if (base == null) {
            base = switch (platform) {
                case SHOPIFY -> blank(store.shopDomain) ? null
                        : (store.shopDomain.contains("://") ? store.shopDomain.trim() : "https://" + store.shopDomain.trim());
                case WOOCOMMERCE -> blank(store.siteUrl) ? null : store.siteUrl.trim();
            };
        }
        if (base == null) {
            throw StorefrontException.rejected(0, "no_base_url", "store " + store.id + " has no "
                    + (platform == Platform.SHOPIFY ? "shopDomain" : "siteUrl") + " nor apiBaseUrl");
        }
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }

    private static ClientKey keyOf(Store store) {
        return new ClientKey(store.platform, baseUrlOf(store), store.accessToken, store.consumerKey, store.consumerSecret,
                store.locationId);
    }

    private StorefrontClient create(ClientKey key) {
        return switch (Platform.fromCode(key.platform()).orElseThrow()) {
            case SHOPIFY -> new ShopifyClient(http, key.baseUrl(), key.accessToken(), key.locationId());
            case WOOCOMMERCE -> new WooCommerceClient(http, key.baseUrl(), key.consumerKey(), key.consumerSecret());
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
