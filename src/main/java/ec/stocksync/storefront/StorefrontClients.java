package ec.stocksync.storefront;

import ec.stocksync.store.Platform;
import ec.stocksync.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Hands out the {@link StorefrontClient} of a store, choosing the platform and where its admin API lives. Each store
 * gets REST Client proxies of its own (base URL and credential differ per store), built with
 * {@link QuarkusRestClientBuilder} and cached until the store's platform, URL, credentials or location change.
 */
@ApplicationScoped
public class StorefrontClients {

    private static final Logger LOG = Logger.getLogger(StorefrontClients.class);
    /**
     * A replaced proxy is closed this long after its replacement: a pull or catalogue walk that started with the old
     * settings finishes its pages instead of failing on a closed connection pool.
     */
    static final Duration CLOSE_GRACE = Duration.ofMinutes(10);

    /**
     * Everything a client is built from. Credentials enter only as a fingerprint, so the cache key holds no secret
     * (the proxy's header factory is the one place that does).
     */
    private record ClientKey(Platform platform, String baseUrl, String credentialFingerprint, String locationId) {
    }

    private record Cached(ClientKey key, StorefrontClient client, AutoCloseable proxy) {
    }

    private final StorefrontTransport transport;
    private final StorefrontConfig config;
    private final Vertx vertx;
    private final ConcurrentMap<Long, Cached> byStore = new ConcurrentHashMap<>();
    private final ConcurrentMap<ClientKey, Cached> unsaved = new ConcurrentHashMap<>();

    public StorefrontClients(Vertx vertx, StorefrontConfig config, MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config;
        this.transport = new StorefrontTransport(config, registry);
    }

    @PreDestroy
    void close() {
        byStore.values().forEach(c -> closeQuietly(c.proxy()));
        byStore.clear();
        unsaved.values().forEach(c -> closeQuietly(c.proxy()));
        unsaved.clear();
    }

    /** The store's client; cached per store id while its platform, URL, credentials and location stay the same. */
    public StorefrontClient forStore(Store store) {
        Objects.requireNonNull(store, "store");
        ClientKey key = keyOf(store);
        if (store.id == null) {
            // Not saved yet (a check, a test): cached by what it is built from, so repeated calls build one proxy.
            return unsaved.computeIfAbsent(key, k -> build(k, store)).client();
        }
        Cached[] replaced = new Cached[1];
        Cached current = byStore.compute(store.id, (id, cached) -> {
            if (cached != null && cached.key().equals(key)) {
                return cached;
            }
            replaced[0] = cached;
            return build(key, store);
        });
        if (replaced[0] != null) {
            closeLater(replaced[0].proxy());
        }
        return current.client();
    }

    /** Drops the store's client, e.g. after the store was deleted. */
    public void forget(long storeId) {
        Cached cached = byStore.remove(storeId);
        if (cached != null) {
            closeLater(cached.proxy());
        }
    }

    /** Where the store's admin API lives: its {@code apiBaseUrl} override, else {@code https://{shopDomain}} or {@code siteUrl}. */
    public static String baseUrlOf(Store store) {
        Platform platform = platformOf(store);
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

    private static Platform platformOf(Store store) {
        return Platform.fromCode(store.platform).orElseThrow(() ->
                StorefrontException.rejected(0, "unknown_platform", "store " + store.id + " has unknown platform " + store.platform));
    }

    private static ClientKey keyOf(Store store) {
        Platform platform = platformOf(store);
        String credential = switch (platform) {
            case SHOPIFY -> fingerprint(store.accessToken);
            case WOOCOMMERCE -> fingerprint(store.consumerKey, store.consumerSecret);
        };
        return new ClientKey(platform, baseUrlOf(store), credential, platform == Platform.SHOPIFY ? store.locationId : null);
    }

    private Cached build(ClientKey key, Store store) {
        return switch (key.platform()) {
            case SHOPIFY -> {
                ShopifyAdminApi api = builder(key.baseUrl())
                        .clientHeadersFactory(CredentialHeaders.shopify(store.accessToken))
                        .build(ShopifyAdminApi.class);
                yield new Cached(key, new ShopifyClient(transport, api, store.locationId), closeable(api));
            }
            case WOOCOMMERCE -> {
                WooCommerceApi api = builder(key.baseUrl())
                        .clientHeadersFactory(CredentialHeaders.wooCommerce(store.consumerKey, store.consumerSecret))
                        .build(WooCommerceApi.class);
                yield new Cached(key, new WooCommerceClient(transport, api), closeable(api));
            }
        };
    }

    /**
     * The operations' own timeouts (per call kind, in {@link StorefrontTransport}) fire first and say TIMEOUT; the
     * builder's read timeout only backs them up. Redirects are not followed: a store URL passed the outbound URL policy
     * when it was saved, a redirect target never did, and it would receive the credential.
     */
    private QuarkusRestClientBuilder builder(String baseUrl) {
        Duration outer = max(config.requestTimeout(), config.writeTimeout()).plusSeconds(1);
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(baseUrl))
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(outer.toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                // Every status comes back as an answer: StorefrontFailures types it with the platform's error body.
                .disableDefaultMapper(true)
                .enableCompression(true)
                .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, config.maxConnectionsPerHost());
    }

    /** Builder-made proxies hold a connection pool until closed (quarkusio/quarkus#44180). */
    private static AutoCloseable closeable(Object proxy) {
        return proxy instanceof AutoCloseable c ? c : () -> { };
    }

    private void closeLater(AutoCloseable proxy) {
        vertx.setTimer(CLOSE_GRACE.toMillis(), ignored -> closeQuietly(proxy));
    }

    private static void closeQuietly(AutoCloseable proxy) {
        try {
            proxy.close();
        } catch (Exception e) {
            LOG.debugf("closing a storefront client failed: %s", e.getMessage());
        }
    }

    private static String fingerprint(String... secrets) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String secret : secrets) {
                digest.update((secret == null ? "\u0000null" : secret).getBytes(StandardCharsets.UTF_8));
                // A separator, so ("ab", "c") and ("a", "bc") differ.
                digest.update((byte) 0x1f);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
