package ec.stocksync.sync;

import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** Issue 14 C: an operator links a storefront SKU to a Contifico product by hand, unlinks it, or marks it not synced. */
@QuarkusTest
class SkuLinksTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    ec.stocksync.movement.MovementWorker worker;

    Sandbox.Wired store;
    String base;
    String camiseta;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
        base = "/api/stores/" + store.storeId();
        // The storefront sells "CAM-M"; Contifico knows the same shirt as "CAM-001-M".
        sandbox.shopify().addProduct("Camiseta M", ShopifySimulator.variant("CAM-M", "M", 8));
        camiseta = sandbox.contificoProduct(store, "CAM-001-M", 8);
    }

    @org.junit.jupiter.api.AfterEach
    void stopWorker() {
        worker.main().stop();
    }

    @Test
    void aSkuWithASlashIsLinkedAndUnlinkedThroughItsEncodedPath() {
        // Real catalogues use codes like "CAM/M": the SKU travels percent-encoded in the path (%2F), as the dashboard
        // sends it, and must reach the endpoint whole.
        sandbox.shopify().addProduct("Camiseta barra", ShopifySimulator.variant("CAM/M", "M", 4));
        Api.admin().urlEncodingEnabled(false).body(Map.of("contificoProductId", camiseta))
                .put(base + "/sku-links/CAM%2FM").then().statusCode(200)
                .body("sku", equalTo("CAM/M"))
                .body("contificoProductId", equalTo(camiseta));
        Api.admin().get(base + "/sku-links").then().statusCode(200).body("sku", hasItem("CAM/M"));
        Api.admin().urlEncodingEnabled(false).delete(base + "/sku-links/CAM%2FM").then().statusCode(204);
        Api.admin().get(base + "/sku-links").then().statusCode(200).body("sku", not(hasItem("CAM/M")));
    }

    @Test
    void anOperatorFindsBothSidesLinksUnlinksAndMarksNotSynced() {
        Api.admin().post(base + "/catalog/import").then().statusCode(200)
                .body("storefrontOnly.sku", hasItem("CAM-M"));
        Api.admin().queryParam("q", "cam-001").get(base + "/catalog/contifico").then().statusCode(200)
                .body("items.id", hasItem(camiseta))
                .body("items.find { it.id == '" + camiseta + "' }.codigo", equalTo("CAM-001-M"));
        Api.admin().queryParam("q", "camiseta").get(base + "/catalog/storefront").then().statusCode(200)
                .body("sku", hasItem("CAM-M"));

        Api.admin().body(Map.of("contificoProductId", camiseta)).put(base + "/sku-links/CAM-M").then().statusCode(200)
                .body("sku", equalTo("CAM-M"))
                .body("contificoProductId", equalTo(camiseta))
                .body("contificoCode", equalTo("CAM-001-M"))
                .body("notSynced", equalTo(false));
        Api.admin().get(base + "/sku-links").then().statusCode(200).body("sku", hasItem("CAM-M"));
        Api.admin().queryParam("q", "CAM-M").get(base + "/catalog/storefront").then().statusCode(200)
                .body("find { it.sku == 'CAM-M' }.linkedProductId", equalTo(camiseta));
        Api.admin().queryParam("q", "CAM-001").get(base + "/catalog/contifico").then().statusCode(200)
                .body("items.find { it.id == '" + camiseta + "' }.linkedSku", equalTo("CAM-M"));
        // The cache follows the link, so pulls and the delta signals map the product to the SKU.
        org.junit.jupiter.api.Assertions.assertEquals(camiseta, db.rows(
                "SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'CAM-M'", store.storeId())
                .get(0).getString(0));

        // One Contifico product, one storefront SKU.
        Api.admin().body(Map.of("contificoProductId", camiseta)).put(base + "/sku-links/CAM-M-2").then().statusCode(409)
                .body("error", equalTo("product_already_linked"))
                .body("message", containsString("'CAM-M'"));
        // Contifico must know the product.
        Api.admin().body(Map.of("contificoProductId", "noSuchProduct1")).put(base + "/sku-links/CAM-M").then()
                .statusCode(400).body("error", equalTo("unknown_contifico_product"));

        Api.admin().body(Map.of("notSynced", true)).put(base + "/sku-links/CAM-M").then().statusCode(200)
                .body("notSynced", equalTo(true)).body("contificoProductId", nullValue());
        org.junit.jupiter.api.Assertions.assertNull(db.rows(
                "SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'CAM-M'", store.storeId())
                .get(0).getString(0), "the link's id leaves the cache");

        Api.admin().delete(base + "/sku-links/CAM-M").then().statusCode(204);
        Api.admin().delete(base + "/sku-links/CAM-M").then().statusCode(404).body("error", equalTo("link_not_found"));
        Api.admin().get(base + "/sku-links").then().statusCode(200).body("$", hasSize(0));
        // Unlinked, the product is free again for another SKU.
        Api.admin().body(Map.of("contificoProductId", camiseta)).put(base + "/sku-links/CAM-M-2").then().statusCode(200);
    }

    @Test
    void badRequestsChangeNothing() {
        Api.admin().body(Map.of("contificoProductId", camiseta, "notSynced", true)).put(base + "/sku-links/CAM-M")
                .then().statusCode(400);
        Api.admin().body(Map.of()).put(base + "/sku-links/CAM-M").then().statusCode(400);
        Api.admin().body(Map.of("notSynced", false)).put(base + "/sku-links/CAM-M").then().statusCode(400);
        Api.admin().body(Map.of("contificoProductId", camiseta, "extra", 1)).put(base + "/sku-links/CAM-M")
                .then().statusCode(400);
        Api.admin().body(Map.of("contificoProductId", camiseta)).put(base + "/sku-links/" + "X".repeat(201))
                .then().statusCode(400).body("message", containsString("sku"));
        Api.admin().urlEncodingEnabled(false).body(Map.of("contificoProductId", camiseta)).put(base + "/sku-links/A%00B")
                .then().statusCode(400);
        // Refused, and still in the audit trail (PostgreSQL text holds no NUL: the audit writes a replacement mark).
        org.junit.jupiter.api.Assertions.assertEquals(1, db.count(
                "SELECT count(*) FROM api_audit_log WHERE path = $1 AND status = 400", base + "/sku-links/A\uFFFDB"));
        // A URL-encoded SKU with a space is one SKU.
        Api.admin().urlEncodingEnabled(false).body(Map.of("notSynced", true)).put(base + "/sku-links/CAM%20M")
                .then().statusCode(200).body("sku", equalTo("CAM M"));
        Api.admin().get(base + "/sku-links").then().statusCode(200).body("sku", not(hasItem("CAM-M")));
    }

    private void link(String sku, String productId) {
        Api.admin().body(Map.of("contificoProductId", productId)).put(base + "/sku-links/" + sku).then().statusCode(200);
    }

    private io.restassured.response.ValidatableResponse pull(String sku) {
        return Api.admin().body(Map.of("skus", java.util.List.of(sku), "skipRecentPushCheck", true)).post(base + "/pull/selective").then().statusCode(200);
    }

    private void awaitMovement(String sku, String status) {
        Sandbox.await(sku + " " + status, java.time.Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND sku = $2 AND status = $3",
                store.storeId(), sku, status) == 1);
    }

    @Test
    void aSaleOfALinkedSkuBooksTheLinkedProductAndAPullPublishesItsStock() {
        link("CAM-M", camiseta);
        worker.main().start();
        sandbox.sell(store.storeId(), "CAM-M", 2);
        awaitMovement("CAM-M", "DONE");
        var egr = sandbox.contifico().movements().stream().filter(m -> "EGR".equals(m.tipo())).toList();
        org.junit.jupiter.api.Assertions.assertEquals(1, egr.size());
        org.junit.jupiter.api.Assertions.assertEquals(camiseta, egr.get(0).detalles().get(0).productoId());
        org.junit.jupiter.api.Assertions.assertEquals(0, new java.math.BigDecimal("6")
                .compareTo(sandbox.contifico().stock(camiseta, store.warehouseId())));
        // The post-push pull read the linked product: the storefront shows Contifico's 6.
        Sandbox.await("the storefront at 6", java.time.Duration.ofSeconds(10),
                () -> Integer.valueOf(6).equals(sandbox.shopify().available("CAM-M")));

        sandbox.contifico().setStock(camiseta, store.warehouseId(), java.math.BigDecimal.valueOf(4));
        pull("CAM-M").body("results[0].action", equalTo("UPDATED")).body("results[0].storeStockAfter", equalTo(4));
        org.junit.jupiter.api.Assertions.assertEquals(4, sandbox.shopify().available("CAM-M"));

        // Unlinked, the SKU is matched by code again: Contifico has no "CAM-M".
        Api.admin().delete(base + "/sku-links/CAM-M").then().statusCode(204);
        pull("CAM-M").body("results[0].action", equalTo("ERROR"))
                .body("results[0].error", containsString("'CAM-M' is not listed by Contifico"));
        String byCode = sandbox.contificoProduct(store, "CAM-M", 3);
        pull("CAM-M").body("results[0].action", equalTo("UPDATED")).body("results[0].storeStockAfter", equalTo(3));
        org.junit.jupiter.api.Assertions.assertEquals(byCode, db.rows(
                "SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'CAM-M'", store.storeId())
                .get(0).getString(0));
    }

    @Test
    void aNotSyncedSkuIsSkippedByPullsAndItsSalesDieWithoutACall() {
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        sandbox.product(store, "NS-1", 9, 2);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        Api.admin().body(Map.of("notSynced", true)).put(base + "/sku-links/NS-1").then().statusCode(200);

        pull("NS-1").body("results[0].action", equalTo("SKIPPED_NOT_SYNCED"))
                .body("results[0].error", containsString("not synced"));
        org.junit.jupiter.api.Assertions.assertEquals(2, sandbox.shopify().available("NS-1"), "not written");

        // A full pull reports it skipped and writes nothing for it.
        long run = Api.admin().body(Map.of("mode", "full")).post(base + "/pull?wait=true").then().statusCode(200)
                .body("status", equalTo("DONE")).extract().jsonPath().getLong("id");
        org.junit.jupiter.api.Assertions.assertEquals(2, sandbox.shopify().available("NS-1"), "not written");
        org.junit.jupiter.api.Assertions.assertEquals(1L, db.count("SELECT count(*) FROM sync_logs WHERE store_id = $1"
                + " AND sku = 'NS-1' AND action = 'SKIPPED_NOT_SYNCED' AND pull_run_id = $2", store.storeId(), run));

        int posts = sandbox.contifico().count(ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint.MOVEMENT_CREATE);
        worker.main().start();
        sandbox.sell(store.storeId(), "NS-1", 1);
        awaitMovement("NS-1", "DEAD");
        org.junit.jupiter.api.Assertions.assertEquals(posts,
                sandbox.contifico().count(ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint.MOVEMENT_CREATE));
        org.junit.jupiter.api.Assertions.assertTrue(db.rows("SELECT last_error FROM inventory_movements_queue"
                        + " WHERE store_id = $1 AND sku = 'NS-1'", store.storeId()).get(0).getString(0)
                .contains("SKU 'NS-1' is marked not synced"));
    }

    @Test
    void theCatalogueImportShowsLinksMarksAndDuplicateCodesAndGuessesNothing() {
        sandbox.shopify().addProduct("Duplicado", ShopifySimulator.variant("DUP-1", "U", 5));
        sandbox.contificoProduct(store, "DUP-1", 5);
        sandbox.contificoProduct(store, "DUP-1", 7);
        sandbox.product(store, "NS-2", 3, 3);
        link("CAM-M", camiseta);
        Api.admin().body(Map.of("notSynced", true)).put(base + "/sku-links/NS-2").then().statusCode(200);

        Api.admin().post(base + "/catalog/import").then().statusCode(200)
                .body("duplicateContificoCodes.codigo", equalTo(java.util.List.of("DUP-1")))
                .body("duplicateContificoCodes[0].productIds", hasSize(2))
                .body("storefrontOnly.sku", equalTo(java.util.List.of("DUP-1")))
                .body("storefrontOnly[0].reason", containsString("none is guessed"))
                .body("linked.sku", equalTo(java.util.List.of("CAM-M")))
                .body("linked[0].contificoCode", equalTo("CAM-001-M"))
                .body("contificoOnly.sku", not(hasItem("CAM-001-M")))
                .body("notSynced", equalTo(java.util.List.of("NS-2")))
                .body("mapped", equalTo(1));
        org.junit.jupiter.api.Assertions.assertNull(db.rows(
                "SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'DUP-1'", store.storeId())
                .get(0).getString(0), "no product guessed");
        org.junit.jupiter.api.Assertions.assertEquals(camiseta, db.rows(
                "SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'CAM-M'", store.storeId())
                .get(0).getString(0), "the import keeps the link's product");
        // Nor does the resolver guess.
        pull("DUP-1").body("results[0].action", equalTo("ERROR"))
                .body("results[0].error", containsString("none is guessed"));
    }

    @Test
    void aProductMatchedByCodeToAnotherSkuIsNotLinkedTwice() {
        String p1 = sandbox.product(store, "P-1", 5, 5);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        Api.admin().body(Map.of("contificoProductId", p1)).put(base + "/sku-links/CAM-M").then().statusCode(409)
                .body("error", equalTo("product_already_linked"))
                .body("message", containsString("'P-1'"));
        // Once P-1 is marked not synced, its product is free.
        Api.admin().body(Map.of("notSynced", true)).put(base + "/sku-links/P-1").then().statusCode(200);
        link("CAM-M", p1);
        // And the import then does not map P-1 to it by code.
        Api.admin().post(base + "/catalog/import").then().statusCode(200)
                .body("linked.sku", equalTo(java.util.List.of("CAM-M")))
                .body("notSynced", equalTo(java.util.List.of("P-1")));
    }
}
