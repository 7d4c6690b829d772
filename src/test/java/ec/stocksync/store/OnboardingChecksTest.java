package ec.stocksync.store;

import ec.stocksync.support.Api;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * The two checks the onboarding steps rest on, against the simulators: the store's storefront credentials read its
 * catalogue, and a Contifico key lists its warehouses before anything is saved. Each failure names what to fix.
 */
@QuarkusTest
class OnboardingChecksTest {

    @Inject
    Sandbox sandbox;

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    @Test
    void aStorefrontCheckReadsTheCatalogueWithTheSavedCredentials() {
        long storeId = sandbox.shopifyStoreOnly();
        sandbox.shopify().addProduct("Perfume", ec.stocksync.sandbox.storefront.ShopifySimulator.variant("PT-1", "50ml", 4));
        Api.admin().post("/api/stores/" + storeId + "/storefront/check").then().statusCode(200)
                .body("platform", equalTo("shopify")).body("itemsRead", equalTo(1))
                .body("sampleSkus", hasItem("PT-1"));

        long woo = sandbox.wooStoreOnly();
        Api.admin().post("/api/stores/" + woo + "/storefront/check").then().statusCode(200)
                .body("platform", equalTo("woocommerce"));
    }

    @Test
    void aStorefrontCheckWithARefusedTokenSaysWhichCredentialToFixAndNeverShowsIt() {
        long storeId = sandbox.shopifyStoreOnly();
        Api.admin().body(Map.of("accessToken", "shpat_wrongwrongwrong")).patch("/api/stores/" + storeId).then().statusCode(200);
        Api.admin().post("/api/stores/" + storeId + "/storefront/check").then().statusCode(400)
                .body("error", equalTo("storefront_auth")).body("message", containsString("access token"))
                .body("message", not(containsString("wrongwrong")));
    }

    @Test
    void aStorefrontCheckOfAnUnreachableShopIsABadGatewayThatChangesNothing() throws java.io.IOException {
        long storeId = sandbox.shopifyStoreOnly();
        // The simulator's host, on a port nothing listens on.
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String nowhere = java.net.URI.create(sandbox.shopify().baseUrl()).resolve("/").toString()
                .replaceFirst(":\\d+/$", ":" + closed);
        // A new address needs the credential again (it would be sent there): the same token.
        Api.admin().body(Map.of("apiBaseUrl", nowhere, "accessToken", sandbox.shopify().accessToken())).patch("/api/stores/" + storeId).then().statusCode(200);
        Api.admin().post("/api/stores/" + storeId + "/storefront/check").then().statusCode(502)
                .body("error", equalTo("storefront_unreachable"));
        Api.admin().get("/api/stores/" + storeId).then().statusCode(200).body("apiBaseUrl", equalTo(nowhere));
    }

    @Test
    void aContificoKeyListsItsWarehousesBeforeItIsSaved() {
        long storeId = sandbox.shopifyStoreOnly();
        var bodega = sandbox.contifico().addWarehouse("BOD1", "Bodega Quito");
        Api.admin().body(Map.of("apiKey", sandbox.contifico().apiKey(), "baseUrl", sandbox.contifico().baseUrl()))
                .post("/api/stores/" + storeId + "/contifico/warehouses").then().statusCode(200)
                .body("id", hasItem(bodega.id())).body("name", hasItem("Bodega Quito")).body("code", hasItem("BOD1"));
        // Listing saved nothing: the store still has no integration.
        Api.admin().get("/api/stores/" + storeId + "/integrations").then().statusCode(200).body("size()", equalTo(0));
        Api.admin().get("/api/stores/" + storeId + "/contifico/warehouses").then().statusCode(400)
                .body("error", equalTo("no_integration"));
        Api.admin().post("/api/stores/" + storeId + "/contifico/warehouses").then().statusCode(400)
                .body("error", equalTo("missing_body"));
    }

    @Test
    void aRefusedContificoKeyIsAFieldErrorAndASavedIntegrationListsWithoutRetypingIt() {
        Sandbox.Wired wired = sandbox.shopifyStore();
        Api.admin().body(Map.of("apiKey", "not-the-key", "baseUrl", sandbox.contifico().baseUrl()))
                .post("/api/stores/" + wired.storeId() + "/contifico/warehouses").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("apiKey"))
                .body("message", not(containsString("not-the-key")));
        Api.admin().get("/api/stores/" + wired.storeId() + "/contifico/warehouses").then().statusCode(200)
                .body("id", hasItem(wired.warehouseId()));
        Api.admin().body(Map.of("apiKey", "k", "color", "red"))
                .post("/api/stores/" + wired.storeId() + "/contifico/warehouses").then().statusCode(400)
                .body("error", equalTo("unknown_field"));
    }
}
