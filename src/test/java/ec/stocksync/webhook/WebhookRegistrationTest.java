package ec.stocksync.webhook;

import ec.stocksync.support.Api;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service registers its own webhooks through the storefronts' APIs (the simulators here), lists what is
 * registered, flags what is missing, paused or pointing elsewhere, and never touches another app's subscriptions.
 */
@QuarkusTest
class WebhookRegistrationTest {

    static final String PUBLIC = "https://stock-sync.example.com";

    @Inject
    Sandbox sandbox;

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    static JsonPath status(long storeId) {
        return Api.admin().get("/api/stores/" + storeId + "/webhooks").then().statusCode(200).extract().jsonPath();
    }

    List<String> shopifyUris() {
        return sandbox.shopify().webhooks().stream().map(h -> h.getString("topic") + " " + h.getString("uri")).sorted().toList();
    }

    @Test
    void aShopifyStoreGetsItsFourTopicsRegisteredOnceHoweverOftenItAsks() {
        long storeId = sandbox.shopifyStoreOnly();
        String address = PUBLIC + "/webhooks/shopify/" + storeId;
        JsonPath before = status(storeId);
        assertEquals(address, before.getString("address"));
        assertEquals(List.of("MISSING", "MISSING", "MISSING", "MISSING"), before.getList("topics.state"));

        for (int i = 0; i < 2; i++) {
            Api.admin().post("/api/stores/" + storeId + "/webhooks").then().statusCode(200)
                    .body("topics.topic", contains("orders/create", "refunds/create", "orders/cancelled", "orders/edited"))
                    .body("topics.state", everyItem(equalTo("REGISTERED")));
        }
        assertEquals(List.of("ORDERS_CANCELLED " + address, "ORDERS_CREATE " + address, "ORDERS_EDITED " + address,
                "REFUNDS_CREATE " + address), shopifyUris());
    }

    @Test
    void anotherAppsSubscriptionIsFlaggedAndNeverRemoved() {
        long storeId = sandbox.shopifyStoreOnly();
        sandbox.shopify().addWebhook("ORDERS_CREATE", "https://erp.example.net/hooks/orders?token=s3cr3t");
        Api.admin().post("/api/stores/" + storeId + "/webhooks").then().statusCode(200);

        JsonPath s = status(storeId);
        assertEquals("REGISTERED", s.getString("topics[0].state"));
        // Shown without its query, where such addresses keep their tokens.
        assertEquals(List.of("https://erp.example.net/hooks/orders"), s.getList("topics[0].elsewhere"));
        assertTrue(!s.prettify().contains("s3cr3t"), s.prettify());

        Api.admin().delete("/api/stores/" + storeId + "/webhooks").then().statusCode(200)
                .body("topics.state", everyItem(equalTo("MISSING")));
        assertEquals(List.of("ORDERS_CREATE https://erp.example.net/hooks/orders?token=s3cr3t"), shopifyUris());
    }

    @Test
    void reRegisteringMovesOurSubscriptionsFromAnOldAddressOnlyWhenAsked() {
        long storeId = sandbox.shopifyStoreOnly();
        String old = "https://old-host.example.com/webhooks/shopify/" + storeId;
        sandbox.shopify().addWebhook("ORDERS_CREATE", old);
        JsonPath s = status(storeId);
        assertEquals("MISSING", s.getString("topics[0].state"));
        assertEquals(List.of(old), s.getList("topics[0].elsewhere"));

        Api.admin().post("/api/stores/" + storeId + "/webhooks").then().statusCode(200);
        assertTrue(shopifyUris().contains("ORDERS_CREATE " + old), "kept without replace=true: " + shopifyUris());
        Api.admin().post("/api/stores/" + storeId + "/webhooks?replace=true").then().statusCode(200)
                .body("topics[0].elsewhere", equalTo(List.of())).body("topics.state", everyItem(equalTo("REGISTERED")));
        assertTrue(shopifyUris().stream().noneMatch(u -> u.contains("old-host")), shopifyUris().toString());
    }

    @Test
    void aWooCommerceStoreRegistersWithItsOwnSecretAndAPausedWebhookIsRecreated() {
        long storeId = sandbox.wooStoreOnly();
        String address = PUBLIC + "/webhooks/woocommerce/" + storeId;
        long paused = sandbox.woo().addWebhook("order.updated", address, "disabled");
        assertEquals(List.of("MISSING", "INACTIVE"), status(storeId).getList("topics.state"));

        Api.admin().post("/api/stores/" + storeId + "/webhooks").then().statusCode(200)
                .body("topics.topic", contains("order.created", "order.updated"))
                .body("topics.state", everyItem(equalTo("REGISTERED")));
        List<JsonObject> hooks = sandbox.woo().webhooks();
        assertEquals(2, hooks.size(), hooks.toString());
        for (JsonObject h : hooks) {
            assertEquals(address, h.getString("delivery_url"));
            assertEquals("active", h.getString("status"));
            assertEquals(Api.WOO_SECRET, h.getString("secret"), "deliveries must be signed with the store's secret");
            assertTrue(h.getLong("id") != paused);
        }
        // The status never shows the secret.
        Api.admin().get("/api/stores/" + storeId + "/webhooks").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(Api.WOO_SECRET)));
    }

    @Test
    void refusedCredentialsAreNamedAndNothingIsRegistered() {
        long storeId = sandbox.shopifyStoreOnly();
        Api.admin().body(Map.of("accessToken", "shpat_revoked_token")).patch("/api/stores/" + storeId).then().statusCode(200);
        Api.admin().post("/api/stores/" + storeId + "/webhooks").then().statusCode(400)
                .body("error", equalTo("storefront_auth"));
        assertEquals(List.of(), shopifyUris());
    }

    /**
     * WooCommerce lists every webhook of the site: a staging deployment with a store of the same id registered the same
     * path on its own host. Only ours (signed with this store's secret) moves with replace=true; theirs stays.
     */
    @Test
    void onWooCommerceOnlyOurOwnOldAddressMovesNeverAnotherDeploymentsSamePath() {
        long storeId = sandbox.wooStoreOnly();
        String path = "/webhooks/woocommerce/" + storeId;
        long ourOld = sandbox.woo().addWebhook("order.created", "https://old.example.com" + path, "active", Api.WOO_SECRET);
        long staging = sandbox.woo().addWebhook("order.created", "https://staging.example.com" + path, "active", "staging-secret");

        Api.admin().post("/api/stores/" + storeId + "/webhooks?replace=yes").then().statusCode(400)
                .body("error", equalTo("invalid_field"));
        Api.admin().post("/api/stores/" + storeId + "/webhooks?replace=true").then().statusCode(200)
                .body("topics.state", everyItem(equalTo("REGISTERED")));
        List<Long> ids = sandbox.woo().webhooks().stream().map(h -> h.getLong("id")).toList();
        assertTrue(!ids.contains(ourOld) && ids.contains(staging), ids.toString());

        Api.admin().delete("/api/stores/" + storeId + "/webhooks").then().statusCode(200);
        assertEquals(List.of(staging), sandbox.woo().webhooks().stream().map(h -> h.getLong("id")).toList());
    }
}
