package ec.stocksync.sync;

import ec.stocksync.contifico.NewMovement;
import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delta pulls read only what Contifico's change signals flag since the baseline a sweep (or a delta) left. */
@QuarkusTest
class DeltaPullTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;
    @Inject
    PullScheduler scheduler;

    Sandbox.Wired store;
    ContificoSimulator contifico;
    ContificoSimulator.SimWarehouse other;
    final Map<String, String> productIds = new HashMap<>();

    @BeforeEach
    void setUp() {
        sandbox.reset();
        contifico = sandbox.contifico();
        store = sandbox.shopifyStore();
        other = contifico.addWarehouse("BODX", "Bodega Norte");
        for (int i = 0; i < 30; i++) {
            String sku = "D-%02d".formatted(i);
            String id = sandbox.product(store, sku, 20, 20);
            contifico.setStock(id, other.id(), BigDecimal.TEN);
            productIds.put(sku, id);
        }
        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200);
        JsonPath sweep = PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        assertEquals("DONE", sweep.getString("status"));
    }

    @AfterEach
    void tearDown() {
        worker.main().stop();
        contifico.clearFaults();
        contifico.documentsAffectStock(false);
    }

    JsonPath delta() {
        return PullSafetyTest.pullAndWait(store.storeId(), Map.of("mode", "delta"));
    }

    static Map<String, BigDecimal> line(String productId, int quantity) {
        return Map.of(productId, BigDecimal.valueOf(quantity));
    }

    @Test
    void afterASweepADeltaPullReadsNoSkuWhenNothingChanged() {
        int stockReads = contifico.count(Endpoint.PRODUCT_STOCK);
        JsonPath d = delta();
        assertEquals("DONE", d.getString("status"));
        assertEquals("DELTA", d.getString("mode"));
        assertEquals(0, d.getInt("total"));
        assertTrue(d.getBoolean("signals.baseline"));
        assertEquals(0, d.getInt("signals.flagged"));
        assertEquals(stockReads, contifico.count(Endpoint.PRODUCT_STOCK), "no per-warehouse read at all");
    }

    @Test
    void aPurchaseBookedAsAnInventoryMovementIsReadAndPublished() {
        contifico.addMovement("ING", NewMovement.today(), store.warehouseId(), null, line(productIds.get("D-01"), 5));
        JsonPath d = delta();
        assertEquals(1, d.getInt("total"));
        assertEquals(1, d.getInt("updated"));
        assertEquals(1, d.getInt("signals.movements"));
        assertEquals(25, sandbox.shopify().available("D-01"));
        // The same movement, read again through the overlap window, flags nothing the second time.
        assertEquals(0, delta().getInt("total"));
    }

    @Test
    void aSalesDocumentThatLowersStockIsReadAndPublished() {
        contifico.documentsAffectStock(true);
        contifico.addDocument("FAC", NewMovement.today(), store.warehouseId(), line(productIds.get("D-02"), 3));
        JsonPath d = delta();
        assertEquals(1, d.getInt("total"));
        assertEquals(1, d.getInt("signals.documents"));
        assertEquals(17, sandbox.shopify().available("D-02"));
    }

    @Test
    void aTransferIntoTheWarehouseIsFoundAlthoughTheCatalogueTotalDoesNotMove() {
        contifico.addMovement("TRA", NewMovement.today(), other.id(), store.warehouseId(), line(productIds.get("D-03"), 4));
        contifico.addMovement("TRA", NewMovement.today(), store.warehouseId(), other.id(), line(productIds.get("D-04"), 6));
        JsonPath d = delta();
        assertEquals(0, d.getInt("signals.catalogue"), "a transfer leaves the sum over warehouses as it was");
        assertEquals(2, d.getInt("signals.movements"));
        assertEquals(2, d.getInt("updated"));
        assertEquals(24, sandbox.shopify().available("D-03"));
        assertEquals(14, sandbox.shopify().available("D-04"));
    }

    @Test
    void aChangeNoListedEventExplainsIsFlaggedByTheCatalogueFigure() {
        // An adjustment dated long ago (outside the overlap window): only the catalogue's figure gives it away.
        contifico.addMovement("ING", LocalDate.now().minusDays(30), store.warehouseId(), null,
                line(productIds.get("D-05"), 7));
        JsonPath d = delta();
        assertEquals(1, d.getInt("signals.catalogue"));
        assertEquals(0, d.getInt("signals.movements"));
        assertEquals(27, sandbox.shopify().available("D-05"));
        assertEquals(0, delta().getInt("total"), "the new figure is the baseline now");
    }

    @Test
    void ourOwnPushesFlagNothing() {
        worker.main().start();
        sandbox.shopify().setAvailable("D-06", 18);
        sandbox.sell(store.storeId(), "D-06", 2);
        Sandbox.await("the sale pushed", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'", store.storeId()) == 1);
        JsonPath d = delta();
        assertEquals(0, d.getInt("signals.flagged"), d.prettify());
    }

    @Test
    void aSkuWhosePullFailedIsFlaggedAgainByTheNextDeltaPull() {
        contifico.addMovement("ING", NewMovement.today(), store.warehouseId(), null, line(productIds.get("D-07"), 1));
        sandbox.shopify().inject(ec.stocksync.sandbox.storefront.Fault.error500()
                .on(ec.stocksync.sandbox.storefront.ShopifySimulator.SET_QUANTITIES).times(20));
        JsonPath failed = delta();
        assertEquals(1, failed.getInt("failed"));
        sandbox.shopify().clearFaults();
        JsonPath again = delta();
        assertEquals(1, again.getInt("total"), "the failed SKU's catalogue figure was not taken as seen");
        assertEquals(1, again.getInt("updated"));
        assertEquals(21, sandbox.shopify().available("D-07"));
    }

    @Test
    void aSkuHeldBackAsRecentlyPushedIsFlaggedAgainOnceTheWindowHasPassed() {
        contifico.addMovement("ING", NewMovement.today(), store.warehouseId(), null, line(productIds.get("D-09"), 4));
        db.rows("UPDATE stock_cache SET last_pushed_at = now() WHERE store_id = $1 AND sku = 'D-09' RETURNING sku",
                store.storeId());
        JsonPath held = delta();
        assertEquals(1, held.getInt("skipped"));
        assertEquals(20, sandbox.shopify().available("D-09"));

        db.rows("UPDATE stock_cache SET last_pushed_at = now() - interval '1 hour' WHERE store_id = $1 AND sku = 'D-09'"
                + " RETURNING sku", store.storeId());
        JsonPath later = delta();
        assertEquals(1, later.getInt("updated"), "the purchase was not taken as seen while the SKU was held back");
        assertEquals(24, sandbox.shopify().available("D-09"));
    }

    @Test
    void realSellOutsInADeltaPullAreMeasuredAgainstTheWholeStoreNotJustWhatChanged() {
        for (int i = 30; i < 60; i++) {
            String sku = "D-%02d".formatted(i);
            productIds.put(sku, sandbox.product(store, sku, 20, 20));
        }
        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200);
        PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        contifico.documentsAffectStock(true);
        // 10 of the 60 SKUs sell out at the shop counter (17%): every flagged SKU drops to 0, yet the store does not.
        for (int i = 0; i < 10; i++) {
            contifico.addDocument("FAC", NewMovement.today(), store.warehouseId(), line(productIds.get("D-%02d".formatted(i)), 20));
        }
        JsonPath d = delta();
        assertEquals("DONE", d.getString("status"), d.getString("reason"));
        assertEquals(10, d.getInt("updated"));
        assertEquals(0, sandbox.shopify().available("D-00"));
    }

    @Test
    void aStoreWithoutABaselineIsSweptByItsFirstDeltaPull() {
        db.rows("DELETE FROM pull_baselines WHERE store_id = $1 RETURNING store_id", store.storeId());
        JsonPath d = delta();
        assertEquals(30, d.getInt("total"));
        assertFalse(d.getBoolean("signals.baseline"));
        assertTrue(d.getString("reason").contains("no usable baseline"));
        assertEquals(0, delta().getInt("total"));
    }

    @Test
    void anotherWarehouseForTheIntegrationMakesTheNextDeltaPullReadEverySku() {
        Api.admin().body(Map.of("warehouseId", other.id()))
                .patch("/api/stores/" + store.storeId() + "/integrations/" + store.integrationId()).then().statusCode(200);
        JsonPath d = delta();
        assertEquals(30, d.getInt("total"), "the old warehouse's figures say nothing of the new one");
        assertFalse(d.getBoolean("signals.baseline"));
        assertEquals(10, sandbox.shopify().available("D-00"), "the new warehouse holds 10 of each");
    }

    @Test
    void scheduledPullsAreDeltaPulls() {
        contifico.addMovement("ING", NewMovement.today(), store.warehouseId(), null, line(productIds.get("D-08"), 2));
        scheduler.pullAll(PullMode.DELTA, java.time.Instant.now()).await().atMost(Duration.ofSeconds(30));
        List<io.vertx.mutiny.sqlclient.Row> runs = db.rows("SELECT kind, status, total FROM pull_runs WHERE store_id = $1"
                + " AND trigger = 'SCHEDULED'", store.storeId());
        assertEquals(1, runs.size());
        assertEquals("DELTA", runs.get(0).getString("kind"));
        assertEquals(1, runs.get(0).getInteger("total"));
        assertEquals(22, sandbox.shopify().available("D-08"));
    }

    @Test
    void aDeltaPullWithALimitIsRefused() {
        Api.admin().body(Map.of("mode", "delta", "limit", 3)).post("/api/stores/" + store.storeId() + "/pull").then()
                .statusCode(400);
    }
}
