package ec.stocksync.store;

import ec.stocksync.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class StoreResourceTest {

    @jakarta.inject.Inject
    ec.stocksync.support.Db db;
    @jakarta.inject.Inject
    StoreContexts contexts;
    @jakarta.inject.Inject
    StoreService service;

    static Map<String, Object> shopify() {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "Perfumería Quito");
        m.put("platform", "shopify");
        m.put("shopDomain", "perfumeria-quito.myshopify.com");
        m.put("accessToken", "shpat_TOP_SECRET_TOKEN");
        m.put("webhookSecret", "WEBHOOK_TOP_SECRET");
        m.put("previousWebhookSecret", "OLD_WEBHOOK_TOP_SECRET");
        m.put("locationId", 655441491L);
        return m;
    }

    @Test
    void refusesRequestsWithoutTheAdminToken() {
        given().get("/api/stores").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer wrong").get("/api/stores").then().statusCode(401);
        given().header("Authorization", "Basic dGVzdA==").get("/api/stores").then().statusCode(401);
        given().contentType("application/json").body(shopify()).post("/api/stores").then().statusCode(401);
    }

    @Test
    void createsAShopifyStoreAndNeverEchoesItsSecrets() {
        String created = Api.admin().body(shopify()).post("/api/stores").then()
                .statusCode(201)
                .header("Location", containsString("/api/stores/"))
                .body("platform", equalTo("shopify"))
                .body("locationId", equalTo("655441491"))
                .body("credentials.accessTokenSet", equalTo(true))
                .body("credentials.previousWebhookSecretSet", equalTo(true))
                .body("active", equalTo(true))
                .extract().asString();
        assertNoSecret(created);
        long id = Api.admin().body(shopify()).post("/api/stores").then().extract().jsonPath().getLong("id");

        assertNoSecret(Api.admin().get("/api/stores/" + id).then().statusCode(200)
                .body("webhookPath", equalTo("/webhooks/shopify/" + id)).extract().asString());
        assertNoSecret(Api.admin().get("/api/stores").then().statusCode(200).extract().asString());
    }

    static void assertNoSecret(String json) {
        for (String secret : new String[]{"TOP_SECRET", "shpat_", "ck_", "cs_"}) {
            org.hamcrest.MatcherAssert.assertThat(json, not(containsString(secret)));
        }
    }

    @Test
    void validationErrorsNameTheField() {
        Map<String, Object> body = shopify();
        body.remove("shopDomain");
        Api.admin().body(body).post("/api/stores").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("shopDomain"));

        body = shopify();
        body.put("platform", "magento");
        Api.admin().body(body).post("/api/stores").then().statusCode(400).body("message", containsString("platform"));

        body = shopify();
        body.put("apiBaseUrl", "not a url");
        Api.admin().body(body).post("/api/stores").then().statusCode(400).body("message", containsString("apiBaseUrl"));

        body = shopify();
        body.put("webhookSecrt", "typo");
        Api.admin().body(body).post("/api/stores").then().statusCode(400)
                .body("error", equalTo("unknown_field")).body("message", containsString("webhookSecrt"));

        Api.admin().body(Map.of("name", "w", "platform", "woocommerce", "siteUrl", "https://w.example.com",
                        "consumerKey", "ck_1", "webhookSecret", "s"))
                .post("/api/stores").then().statusCode(400).body("message", containsString("consumerSecret"));

        Api.admin().body("{not json").post("/api/stores").then().statusCode(400).body("error", equalTo("malformed_json"));
    }

    /** Each refusal names the field, in the one error shape, never repeats a secret, and writes nothing. */
    @Test
    void badStoreBodiesAreRefusedNamingTheFieldAndChangeNothing() {
        long id = Api.createStore(shopify());
        long stores = db.count("SELECT count(*) FROM stores");
        Object updatedAt = db.rows("SELECT updated_at FROM stores WHERE id = $1", id).get(0).getValue("updated_at");
        List<Map.Entry<String, Map<String, Object>>> bad = List.of(
                Map.entry("name", with("name", "   ")),
                Map.entry("name", with("name", "x".repeat(201))),
                Map.entry("webhookSecret", with("webhookSecret", "s".repeat(1001))),
                Map.entry("processTestOrders", with("processTestOrders", "yes")),
                Map.entry("scheduledPullEnabled", with("scheduledPullEnabled", 1)),
                Map.entry("apiBaseUrl", with("apiBaseUrl", "ftp://files.example.com")),
                Map.entry("accessToken", with("accessToken", 987654321987654321L)),
                Map.entry("locationId", with("locationId", true)));
        for (var entry : bad) {
            String answer = Api.admin().body(entry.getValue()).post("/api/stores").then().statusCode(400)
                    .body("error", equalTo("invalid_field")).body("message", containsString(entry.getKey()))
                    .extract().asString();
            org.hamcrest.MatcherAssert.assertThat(answer, not(containsString("987654321987654321")));
            Api.admin().body(entry.getValue()).put("/api/stores/" + id).then().statusCode(400)
                    .body("message", containsString(entry.getKey()));
        }
        Api.admin().body(Map.of("name", " ")).patch("/api/stores/" + id).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("name"));
        Api.admin().body(Map.of("name", 42)).patch("/api/stores/" + id).then().statusCode(400)
                .body("message", containsString("name"));
        Api.admin().body("[\"Perfumería\"]").patch("/api/stores/" + id).then().statusCode(400)
                .body("error", equalTo("malformed_json"));
        Api.admin().contentType("application/json").patch("/api/stores/" + id).then().statusCode(400)
                .body("error", equalTo("missing_body"));
        Api.admin().body(Map.of("provider", "contifico", "apiKey", "k", "warehouseId", " "))
                .post("/api/stores/" + id + "/integrations").then().statusCode(400)
                .body("message", containsString("warehouseId"));
        Api.admin().body(Map.of("provider", "sap", "apiKey", "k", "warehouseId", "w"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(400)
                .body("message", containsString("provider"));

        org.junit.jupiter.api.Assertions.assertEquals(stores, db.count("SELECT count(*) FROM stores"));
        org.junit.jupiter.api.Assertions.assertEquals(0, db.count("SELECT count(*) FROM store_integrations WHERE store_id = $1", id));
        org.junit.jupiter.api.Assertions.assertEquals(updatedAt,
                db.rows("SELECT updated_at FROM stores WHERE id = $1", id).get(0).getValue("updated_at"));
        Api.admin().get("/api/stores/" + id).then().body("name", equalTo("Perfumería Quito"));
    }

    /** A query value that is not a number is the client's mistake (400 naming it); a bad path segment is a 404. */
    @Test
    void badQueryParametersAre400NamingThemAndBadPathSegmentsStay404() {
        long id = Api.createStore(shopify());
        Api.admin().get("/api/stores/" + id + "/pulls?limit=0").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("limit"));
        Api.admin().get("/api/stores/" + id + "/pulls?limit=ten").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("limit"));
        Api.admin().get("/api/audit?tokenId=abc").then().statusCode(400).body("message", containsString("tokenId"));
        Api.admin().get("/api/audit?size=501").then().statusCode(400).body("message", containsString("size"));
        Api.admin().get("/api/sync-logs?page=-1").then().statusCode(400).body("message", containsString("page"));
        Api.admin().get("/api/tokens?storeId=1.5").then().statusCode(400).body("message", containsString("storeId"));
        Api.admin().get("/api/movements?dismissed=maybe").then().statusCode(400).body("message", containsString("dismissed"));
        Api.admin().get("/api/stores/abc").then().statusCode(404).body("error", equalTo("not_found"));
        Api.admin().get("/api/stores/" + id + "/pulls?limit=5").then().statusCode(200);
    }

    private static Map<String, Object> with(String field, Object value) {
        Map<String, Object> body = shopify();
        body.put(field, value);
        return body;
    }

    @Test
    void patchChangesOnlyTheNamedFieldsAndPutReplacesSettingsButKeepsSecrets() {
        long id = Api.createStore(shopify());
        Api.admin().body(Map.of("name", "Nuevo nombre", "apiBaseUrl", "http://127.0.0.1:9999/", "accessToken", "shpat_NEW"))
                .patch("/api/stores/" + id).then().statusCode(200)
                .body("name", equalTo("Nuevo nombre"))
                .body("apiBaseUrl", equalTo("http://127.0.0.1:9999"))
                .body("shopDomain", equalTo("perfumeria-quito.myshopify.com"));

        // The admin API moves (override dropped, another shop domain): the token must come along.
        Map<String, Object> replacement = new HashMap<>(Map.of("name", "Otra", "platform", "shopify",
                "shopDomain", "otra.myshopify.com", "accessToken", "shpat_OTRA"));
        Api.admin().body(replacement).put("/api/stores/" + id).then().statusCode(200)
                .body("name", equalTo("Otra"))
                .body("apiBaseUrl", nullValue())
                .body("locationId", nullValue())
                .body("credentials.accessTokenSet", equalTo(true))
                .body("credentials.webhookSecretSet", equalTo(true));

        Api.admin().body(Map.of("platform", "woocommerce")).patch("/api/stores/" + id).then().statusCode(400)
                .body("message", containsString("platform"));
    }

    @jakarta.inject.Inject
    ec.stocksync.support.Sandbox sandbox;

    @Test
    void anIntegrationIsCheckedAgainstContificoBeforeItIsSaved() {
        var contifico = sandbox.contifico();
        var warehouse = contifico.addWarehouse("BODCHK", "Bodega Chequeo");
        long id = Api.createStore(shopify());
        Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey", contifico.apiKey(),
                        "warehouseId", "NoSuchBodega0000"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(400)
                .body("message", containsString("warehouseId")).body("message", containsString(warehouse.id()));
        Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey", "not-the-key",
                        "warehouseId", warehouse.id()))
                .post("/api/stores/" + id + "/integrations").then().statusCode(400).body("message", containsString("apiKey"));
        long integrationId = Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(),
                        "apiKey", contifico.apiKey(), "warehouseId", warehouse.id()))
                .post("/api/stores/" + id + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().body(Map.of("warehouseId", "Typo" + warehouse.id().substring(4)))
                .patch("/api/stores/" + id + "/integrations/" + integrationId).then().statusCode(400)
                .body("message", containsString("warehouseId"));
        Api.admin().get("/api/stores/" + id + "/integrations").then().body("[0].warehouseId", equalTo(warehouse.id()));
    }

    @Test
    void aCheckThatCouldNotReachContificoDoesNotSkipTheChecksOfTheNextNewIntegrations() {
        var contifico = sandbox.contifico();
        var warehouse = contifico.addWarehouse("BODBRK", "Bodega Breaker");
        // Contifico fails long enough for several new integrations to be saved unchecked.
        contifico.setFault(ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint.WAREHOUSE_LIST,
                ec.stocksync.sandbox.contifico.ContificoSimulator.Fault.times(
                        ec.stocksync.sandbox.contifico.ContificoSimulator.FaultType.ERROR_500, 12));
        try {
            for (int i = 0; i < 3; i++) {
                long store = Api.createStore(shopify());
                Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey",
                                contifico.apiKey(), "warehouseId", warehouse.id()))
                        .post("/api/stores/" + store + "/integrations").then().statusCode(201);
            }
        } finally {
            contifico.clearFaults();
        }
        // Back up: the next new integration is checked, whatever the earlier ones' failures did to a breaker.
        long store = Api.createStore(shopify());
        Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey", contifico.apiKey(),
                        "warehouseId", "NoSuchBodega0000"))
                .post("/api/stores/" + store + "/integrations").then().statusCode(400)
                .body("message", containsString("warehouseId"));
    }

    @Test
    void unknownStoresAre404() {
        Api.admin().get("/api/stores/999999").then().statusCode(404).body("error", equalTo("store_not_found"));
        Api.admin().body(Map.of("name", "x")).patch("/api/stores/999999").then().statusCode(404);
        Api.admin().body(Map.of("provider", "contifico", "apiKey", "k", "warehouseId", "w"))
                .post("/api/stores/999999/integrations").then().statusCode(404);
    }

    @Test
    void deleteDeactivatesTheStore() {
        long id = Api.createStore(shopify());
        Api.admin().delete("/api/stores/" + id).then().statusCode(200).body("active", equalTo(false));
        Api.admin().get("/api/stores/" + id).then().statusCode(200).body("active", equalTo(false));
    }

    @Test
    void aStoreHasOneActiveContificoIntegrationWhoseKeysAreNeverReturned() {
        long id = Api.createStore(shopify());
        String body = Api.admin().body(Map.of("provider", "contifico", "apiKey", "APIKEY_TOP_SECRET",
                        "posToken", "POS_TOP_SECRET", "warehouseId", "nRMdROzqhvDZel6Y"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(201)
                .body("baseUrl", equalTo("https://api.contifico.com/sistema/api"))
                .body("warehouseId", equalTo("nRMdROzqhvDZel6Y"))
                .body("apiKeySet", equalTo(true))
                .extract().asString();
        assertNoSecret(body);
        long integrationId = Api.admin().get("/api/stores/" + id + "/integrations").then().statusCode(200)
                .extract().jsonPath().getLong("[0].id");

        Api.admin().body(Map.of("provider", "contifico", "apiKey", "k2", "warehouseId", "w2"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(409)
                .body("error", equalTo("integration_exists"));

        db.rows("INSERT INTO stock_cache (store_id, sku, contifico_product_id) VALUES ($1, 'MAP-1', 'lY4erkB4vtrVa2Lz') RETURNING sku", id);
        db.rows("INSERT INTO sku_links (store_id, storefront_sku, contifico_product_id) VALUES ($1, 'LNK-1', 'lY4erkB4vtrVa2Lz')"
                + " RETURNING storefront_sku", id);
        db.rows("INSERT INTO sku_links (store_id, storefront_sku, not_synced) VALUES ($1, 'NS-1', TRUE) RETURNING storefront_sku", id);
        Api.admin().body(Map.of("warehouseId", "BQ9pdBB26H52d8KE", "baseUrl", "http://127.0.0.1:9/sistema/api/",
                        "apiKey", "APIKEY_FOR_NEW_HOST"))
                .patch("/api/stores/" + id + "/integrations/" + integrationId).then().statusCode(200)
                .body("warehouseId", equalTo("BQ9pdBB26H52d8KE"))
                .body("baseUrl", equalTo("http://127.0.0.1:9/sistema/api"));
        // Another Contifico, other product ids: the SKU mapping is resolved afresh.
        org.junit.jupiter.api.Assertions.assertNull(db.rows(
                "SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'MAP-1'", id).get(0).getString(0));
        // A manual link names a product of the old company: kept for the operator to see, not used until confirmed again.
        org.junit.jupiter.api.Assertions.assertEquals(Boolean.TRUE, db.rows(
                "SELECT stale FROM sku_links WHERE store_id = $1 AND storefront_sku = 'LNK-1'", id).get(0).getBoolean(0));
        org.junit.jupiter.api.Assertions.assertEquals(Boolean.FALSE, db.rows(
                "SELECT stale FROM sku_links WHERE store_id = $1 AND storefront_sku = 'NS-1'", id).get(0).getBoolean(0));

        Api.admin().body(Map.of("provider", "sap", "apiKey", "k", "warehouseId", "w"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(400).body("message", containsString("provider"));

        Api.admin().delete("/api/stores/" + id + "/integrations/" + integrationId).then().statusCode(200)
                .body("active", equalTo(false));
        Api.admin().body(Map.of("provider", "contifico", "apiKey", "k2", "warehouseId", "w2"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(201);
    }

    /**
     * A PATCH arriving while a DELETE of the same integration holds the store's row: the PATCH waits for it on the
     * store's row and then finds the integration deactivated (409). Without taking the store's row before touching
     * the integration, the PATCH's UPDATE (flushed before its lock query) held the integration's row while the
     * DELETE, holding the store's, needed it to commit: PostgreSQL broke the deadlock by failing one of them (500).
     */
    @Test
    void anIntegrationPatchedWhileItIsDeactivatedWaitsForTheDeactivationInsteadOfDeadlocking() throws Exception {
        long id = Api.createStore(shopify());
        Api.admin().body(Map.of("provider", "contifico", "apiKey", "APIKEY_1", "warehouseId", "nRMdROzqhvDZel6Y"))
                .post("/api/stores/" + id + "/integrations").then().statusCode(201);
        long integrationId = Api.admin().get("/api/stores/" + id + "/integrations").then().statusCode(200)
                .extract().jsonPath().getLong("[0].id");
        String path = "/api/stores/" + id + "/integrations/" + integrationId;
        java.util.concurrent.CompletableFuture<String> patch = new java.util.concurrent.CompletableFuture<>();
        service.afterDeactivationLock(() -> io.smallrye.mutiny.Uni.createFrom().item(() -> {
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                io.restassured.response.Response r = Api.admin().body(Map.of("posToken", "POS_2")).patch(path);
                patch.complete(r.statusCode() + " " + r.jsonPath().getString("error"));
            });
            try {
                // Time for the PATCH to reach the store's row and wait there.
                patch.get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException expected) {
                // Waiting behind this deactivation.
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return "held";
        }).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
        try {
            Api.admin().delete(path).then().statusCode(200).body("active", equalTo(false));
        } finally {
            service.afterDeactivationLock(null);
        }
        org.junit.jupiter.api.Assertions.assertEquals("409 integration_inactive",
                patch.get(20, java.util.concurrent.TimeUnit.SECONDS));
        org.junit.jupiter.api.Assertions.assertEquals(Boolean.FALSE, db.rows(
                "SELECT active FROM store_integrations WHERE id = $1", integrationId).get(0).getBoolean(0));
    }

    @Test
    void syncingUnmanagedWooCommerceStockIsOffUntilTheMerchantOptsIn() {
        long id = Api.createWooStore();
        Api.admin().get("/api/stores/" + id).then().statusCode(200).body("syncUnmanagedStock", equalTo(false));
        assertSyncUnmanagedStored(id, false);

        Api.admin().body(Map.of("syncUnmanagedStock", true)).patch("/api/stores/" + id).then().statusCode(200)
                .body("syncUnmanagedStock", equalTo(true))
                .body("scheduledPullEnabled", equalTo(true));
        assertSyncUnmanagedStored(id, true);

        Api.admin().body(Map.of("syncUnmanagedStock", "yes")).patch("/api/stores/" + id).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("syncUnmanagedStock"));
        assertSyncUnmanagedStored(id, true);

        // A replace resets the optional settings it leaves out, this one included.
        Api.admin().body(Map.of("name", "Woo", "platform", "woocommerce", "siteUrl", "https://woo.example.com"))
                .put("/api/stores/" + id).then().statusCode(200).body("syncUnmanagedStock", equalTo(false));
        assertSyncUnmanagedStored(id, false);

        Map<String, Object> optedIn = new HashMap<>(Map.of("name", "Woo opt-in", "platform", "woocommerce",
                "siteUrl", "https://woo.example.com", "consumerKey", "ck_1", "consumerSecret", "cs_1",
                "webhookSecret", "s", "syncUnmanagedStock", true));
        long created = Api.admin().body(optedIn).post("/api/stores").then().statusCode(201)
                .body("syncUnmanagedStock", equalTo(true)).extract().jsonPath().getLong("id");
        assertSyncUnmanagedStored(created, true);

        optedIn.put("syncUnmanagedStock", 1);
        Api.admin().body(optedIn).post("/api/stores").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("syncUnmanagedStock"));
    }

    /** As the pull sees the store: the snapshot the worker and pulls load with the reactive client. */
    void assertSyncUnmanagedStored(long id, boolean expected) {
        Store seen = contexts.store(db.rows("SELECT * FROM stores WHERE id = $1", id).get(0));
        org.junit.jupiter.api.Assertions.assertEquals(expected, seen.syncUnmanagedStock);
    }
}
