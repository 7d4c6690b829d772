package ec.stocksync.storefront;

import ec.stocksync.store.Store;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

@QuarkusTest
class StorefrontClientsTest {

    @Inject
    StorefrontClients clients;

    private static Store shopify(long id, String token) {
        Store s = new Store();
        s.id = id;
        s.platform = "shopify";
        s.shopDomain = "demo.myshopify.com";
        s.accessToken = token;
        s.locationId = "1";
        return s;
    }

    @Test
    void baseUrlIsTheOverrideElseTheShopDomainOrSiteUrl() {
        Store shop = shopify(1, "t");
        assertEquals("https://demo.myshopify.com", StorefrontClients.baseUrlOf(shop));
        shop.apiBaseUrl = "http://127.0.0.1:9999/";
        assertEquals("http://127.0.0.1:9999", StorefrontClients.baseUrlOf(shop));

        Store woo = new Store();
        woo.platform = "woocommerce";
        woo.siteUrl = "https://tienda.example.ec/";
        assertEquals("https://tienda.example.ec", StorefrontClients.baseUrlOf(woo));
    }

    @Test
    void storeWithoutAnyAddressIsRefused() {
        Store woo = new Store();
        woo.platform = "woocommerce";
        StorefrontException e = assertThrows(StorefrontException.class, () -> StorefrontClients.baseUrlOf(woo));
        assertEquals("no_base_url", e.code());
    }

    @Test
    void platformPicksTheImplementation() {
        Store woo = new Store();
        woo.platform = "woocommerce";
        woo.siteUrl = "https://tienda.example.ec";
        assertInstanceOf(WooCommerceClient.class, clients.forStore(woo));
        assertInstanceOf(ShopifyClient.class, clients.forStore(shopify(7001, "t")));
    }

    @Test
    void clientIsCachedPerStoreUntilItsCredentialsChange() {
        StorefrontClient first = clients.forStore(shopify(7002, "token-a"));

        assertSame(first, clients.forStore(shopify(7002, "token-a")));
        assertNotSame(first, clients.forStore(shopify(7002, "token-b")));
    }

    @Test
    void aNewLocationOrAForgottenStoreGetsANewClient() {
        StorefrontClient first = clients.forStore(shopify(7003, "token-a"));
        Store moved = shopify(7003, "token-a");
        moved.locationId = "2";
        StorefrontClient second = clients.forStore(moved);
        assertNotSame(first, second);

        clients.forget(7003);
        assertNotSame(second, clients.forStore(moved));
    }

    @Test
    void anUnsavedStoreIsBuiltOnceForTheSameSettings() {
        Store woo = new Store();
        woo.platform = "woocommerce";
        woo.siteUrl = "https://tienda.example.ec";
        woo.consumerKey = "ck_unsaved";
        woo.consumerSecret = "cs_unsaved";

        assertSame(clients.forStore(woo), clients.forStore(woo));
    }

    @Test
    void numericLocationBecomesAGid() {
        assertEquals("gid://shopify/Location/655441491", ShopifyClient.locationGid("655441491"));
        assertEquals("gid://shopify/Location/5", ShopifyClient.locationGid("gid://shopify/Location/5"));
    }

    @Test
    void unreachableStorefrontFailsAsUnavailableAfterRetries() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Store woo = new Store();
        woo.platform = "woocommerce";
        woo.apiBaseUrl = "http://127.0.0.1:" + closedPort;
        woo.consumerKey = "ck";
        woo.consumerSecret = "cs";

        StorefrontException e = assertThrows(StorefrontException.class,
                () -> clients.forStore(woo).findBySku("X").await().atMost(java.time.Duration.ofSeconds(20)));

        assertEquals(StorefrontException.Kind.UNAVAILABLE, e.kind());
        assertEquals("connection_refused", e.code());
    }
}
