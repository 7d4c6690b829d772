package ec.stocksync.sync;

import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 14 D: pulls publish a mapped location the sum of its Contifico warehouses. */
@QuarkusTest
class LocationPullTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    Sandbox.Wired store;
    String base;
    String w2;
    String w3;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
        base = "/api/stores/" + store.storeId();
        w2 = sandbox.contifico().addWarehouse("BQ2", "Bodega Quito").id();
        w3 = sandbox.contifico().addWarehouse("BQ3", "Bodega Quito Norte").id();
    }

    @AfterEach
    void stopWorker() {
        worker.main().stop();
    }

    /** The store's own Shopify location publishes {@code warehouses} summed; sales there are booked in {@code push}. */
    private void mapOwnLocation(List<String> warehouses, String push) {
        Api.admin().body(Map.of("locations", List.of(Map.of("locationId", sandbox.shopify().locationId(),
                "warehouseIds", warehouses, "pushWarehouseId", push)))).put(base + "/locations").then().statusCode(200);
    }

    private String product(String sku, int main, int quito, int shopify) {
        String id = sandbox.product(store, sku, main, shopify);
        sandbox.contifico().setStock(id, w2, BigDecimal.valueOf(quito));
        return id;
    }

    @Test
    void aSelectiveAndAFullPullPublishTheSumOfTheLocationsWarehouses() {
        product("A-1", 5, 7, 0);
        product("A-2", 1, 2, 0);
        mapOwnLocation(List.of(store.warehouseId(), w2), w2);

        Api.admin().body(Map.of("skus", List.of("A-1"))).post(base + "/pull/selective").then().statusCode(200)
                .body("results[0].action", equalTo("UPDATED")).body("results[0].storeStockAfter", equalTo(12));
        assertEquals(12, sandbox.shopify().available("A-1"));

        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        Api.admin().body(Map.of()).post(base + "/pull?wait=true").then().statusCode(200).body("status", equalTo("DONE"));
        assertEquals(3, sandbox.shopify().available("A-2"));
        assertEquals(12, sandbox.shopify().available("A-1"));
    }

    @Test
    void aWarehouseMissingFromContificosAnswerFailsTheSkuAndWritesNothing() {
        // w3 exists in Contifico, but A-1 is not stocked there: /stock/ does not list it. Read as 0 it would hide units.
        product("A-1", 5, 7, 4);
        mapOwnLocation(List.of(store.warehouseId(), w2, w3), w2);
        Api.admin().body(Map.of("skus", List.of("A-1"))).post(base + "/pull/selective").then().statusCode(200)
                .body("results[0].action", equalTo("ERROR"))
                .body("results[0].error", containsString(w3));
        assertEquals(4, sandbox.shopify().available("A-1"), "nothing written");
    }

    @Test
    void aSaleAtTheLocationIsBookedInItsPushWarehouseAndPulledBackAsTheSum() {
        product("A-1", 5, 7, 12);
        mapOwnLocation(List.of(store.warehouseId(), w2), w2);
        worker.main().start();
        sandbox.sell(store.storeId(), "A-1", 2);
        Sandbox.await("the sale DONE", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'",
                store.storeId()) == 1);
        assertEquals(w2, sandbox.contifico().movements().get(0).bodegaId());
        // The post-push pull reads both warehouses: 5 + (7 - 2).
        assertEquals(0, new BigDecimal("10").compareTo(db.rows("SELECT contifico_stock FROM sync_logs WHERE store_id = $1"
                + " AND trigger = 'SALE'", store.storeId()).get(0).getBigDecimal(0)));
        assertEquals(10, sandbox.shopify().available("A-1"));
    }

    @Test
    void aDeltaPullWatchesEveryWarehouseTheLocationSums() {
        String a1 = product("A-1", 5, 7, 12);
        String a2 = product("A-2", 5, 7, 12);
        sandbox.contifico().setStock(a1, w3, BigDecimal.TEN);
        sandbox.contifico().setStock(a2, w3, BigDecimal.TEN);
        mapOwnLocation(List.of(store.warehouseId(), w2), w2);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        assertEquals("DONE", PullSafetyTest.pullAndWait(store.storeId(), Map.of()).getString("status"));
        assertEquals(0, PullSafetyTest.pullAndWait(store.storeId(), Map.of("mode", "delta")).getInt("total"));

        // Into w2 (summed) from w3 (not): Contifico's total over warehouses does not move, only the transfer says so.
        sandbox.contifico().addMovement("TRA", ec.stocksync.contifico.NewMovement.today(), w3, w2,
                Map.of(a1, BigDecimal.valueOf(4)));
        // A purchase booked in w2 only, found among w2's movements.
        sandbox.contifico().addMovement("ING", ec.stocksync.contifico.NewMovement.today(), w2, null,
                Map.of(a2, BigDecimal.valueOf(3)));
        io.restassured.path.json.JsonPath d = PullSafetyTest.pullAndWait(store.storeId(), Map.of("mode", "delta"));
        assertEquals(2, d.getInt("signals.movements"));
        assertEquals(2, d.getInt("updated"));
        assertEquals(16, sandbox.shopify().available("A-1"));
        assertEquals(15, sandbox.shopify().available("A-2"));
    }

    @Test
    void changingTheMapMakesTheNextDeltaPullReadEverySkuAndIsRefusedDuringAPull() {
        product("A-1", 5, 7, 5);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        assertEquals("DONE", PullSafetyTest.pullAndWait(store.storeId(), Map.of()).getString("status"));
        assertEquals(0, PullSafetyTest.pullAndWait(store.storeId(), Map.of("mode", "delta")).getInt("total"));

        // No Contifico event: only the map says the location now also sums w2.
        mapOwnLocation(List.of(store.warehouseId(), w2), w2);
        io.restassured.path.json.JsonPath d = PullSafetyTest.pullAndWait(store.storeId(), Map.of("mode", "delta"));
        assertEquals(1, d.getInt("total"));
        assertEquals(12, sandbox.shopify().available("A-1"));

        // While a pull runs (it holds the store's pull lock), the map cannot change under it.
        sandbox.contifico().setFault(ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint.PRODUCT_STOCK,
                ec.stocksync.sandbox.contifico.ContificoSimulator.Fault.latency(3000, 1));
        long run = Api.admin().body(Map.of()).post(base + "/pull").then().statusCode(202).extract().jsonPath().getLong("id");
        Api.admin().body(Map.of("locations", List.of())).put(base + "/locations").then().statusCode(409)
                .body("error", equalTo("pull_in_progress"));
        Sandbox.await("the pull's end", Duration.ofSeconds(20), () -> !"RUNNING".equals(PullSafetyTest.run(run).getString("status")));
        sandbox.contifico().clearFaults();
        Api.admin().get(base + "/locations").then().statusCode(200).body("[0].warehouseIds",
                equalTo(List.of(store.warehouseId(), w2)));
    }

    @Test
    void aFullPullPublishesEachMappedLocationTheSumOfItsWarehouses() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        String a1 = product("A-1", 5, 7, 0);
        String a2 = product("A-2", 1, 2, 0);
        sandbox.contifico().setStock(a1, w3, BigDecimal.valueOf(4));
        sandbox.contifico().setStock(a2, w3, BigDecimal.valueOf(6));
        sandbox.shopify().setAvailable("A-1", quito, 0);
        sandbox.shopify().setAvailable("A-2", quito, 0);
        Api.admin().body(Map.of("locations", List.of(
                Map.of("locationId", sandbox.shopify().locationId(), "warehouseIds", List.of(store.warehouseId())),
                Map.of("locationId", quito, "warehouseIds", List.of(w2, w3), "pushWarehouseId", w2))))
                .put(base + "/locations").then().statusCode(200);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);

        io.restassured.path.json.JsonPath run = PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        assertEquals("DONE", run.getString("status"));
        assertEquals(5, sandbox.shopify().available("A-1"));
        assertEquals(1, sandbox.shopify().available("A-2"));
        assertEquals(11, sandbox.shopify().available("A-1", quito), "7 + 4");
        assertEquals(8, sandbox.shopify().available("A-2", quito), "2 + 6");
        org.hamcrest.MatcherAssert.assertThat(run.getList("changes.sku"), org.hamcrest.Matchers.hasItem("A-1 @ " + quito));
        // Read again, nothing to write anywhere.
        int writes = sandbox.shopify().count(ec.stocksync.sandbox.storefront.ShopifySimulator.SET_QUANTITIES);
        PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        assertEquals(writes, sandbox.shopify().count(ec.stocksync.sandbox.storefront.ShopifySimulator.SET_QUANTITIES));
    }

    @Test
    void aWarehouseOfAnotherLocationMissingFromTheAnswerWritesNothingForThatSku() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        String a1 = product("A-1", 5, 7, 0);
        String a2 = product("A-2", 1, 2, 0);
        sandbox.contifico().setStock(a2, w3, BigDecimal.valueOf(6));   // A-1 is not stocked in w3
        sandbox.shopify().setAvailable("A-1", quito, 3);
        sandbox.shopify().setAvailable("A-2", quito, 0);
        Api.admin().body(Map.of("locations", List.of(
                Map.of("locationId", quito, "warehouseIds", List.of(w2, w3), "pushWarehouseId", w2))))
                .put(base + "/locations").then().statusCode(200);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);

        io.restassured.path.json.JsonPath run = PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        assertEquals(1, run.getInt("failed"));
        assertEquals("A-1", run.getString("errors[0].sku"));
        assertEquals(0, sandbox.shopify().available("A-1"), "nothing written at the own location either");
        assertEquals(3, sandbox.shopify().available("A-1", quito));
        assertEquals(1, sandbox.shopify().available("A-2"));
        assertEquals(8, sandbox.shopify().available("A-2", quito));
    }

    /**
     * A preview reports what a real pull would do at every mapped location: the other location's writes, and the
     * zeroing guard counting them (the real pull is blocked by that location alone); nothing is written anywhere.
     */
    @Test
    void aDryRunReportsEveryMappedLocationAndItsZeroingLikeARealPull() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        product("A-1", 5, 7, 5);
        sandbox.shopify().setAvailable("A-1", quito, 3);
        for (int i = 0; i < 12; i++) {
            String sku = "Z-%02d".formatted(i);
            product(sku, 4, 0, 4);                     // the own location is in step
            sandbox.shopify().setAvailable(sku, quito, 6); // Quito would drop to 0
        }
        Api.admin().body(Map.of("locations", List.of(
                Map.of("locationId", quito, "warehouseIds", List.of(w2))))).put(base + "/locations").then().statusCode(200);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);

        io.restassured.path.json.JsonPath dry = PullSafetyTest.pullAndWait(store.storeId(), Map.of("dryRun", true));
        assertEquals("DONE", dry.getString("status"));
        org.junit.jupiter.api.Assertions.assertNotNull(dry.getString("reason"), "a real pull would be blocked");
        org.hamcrest.MatcherAssert.assertThat(dry.getString("reason"), containsString("would be blocked"));
        assertEquals(12, dry.getList("zeroing").size());
        org.hamcrest.MatcherAssert.assertThat(dry.getList("changes.sku"),
                org.hamcrest.Matchers.hasItems("A-1 @ " + quito, "Z-00 @ " + quito));
        assertEquals(7, dry.getInt("changes.find { it.sku == 'A-1 @ " + quito + "' }.storeStockAfter"));
        assertEquals(3, sandbox.shopify().available("A-1", quito), "a preview writes nothing");
        assertEquals(6, sandbox.shopify().available("Z-00", quito));
        assertEquals(0, sandbox.shopify().count(ec.stocksync.sandbox.storefront.ShopifySimulator.SET_QUANTITIES));

        io.restassured.path.json.JsonPath real = PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        assertEquals("BLOCKED", real.getString("status"), "what the preview announced");
        assertEquals(3, sandbox.shopify().available("A-1", quito));
    }

    @Test
    void aSaleAtALocationNotYetBookedStaysReservedThereAndAtTheOwnLocation() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        String a1 = product("A-1", 5, 7, 5);
        sandbox.shopify().setAvailable("A-1", quito, 0);
        Api.admin().body(Map.of("locations", List.of(
                Map.of("locationId", quito, "warehouseIds", List.of(w2))))).put(base + "/locations").then().statusCode(200);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        // The worker is off: the sale at Quito waits in the queue, unbooked in w2.
        Sandbox.deliverShopify(store.storeId(), "orders/create", """
                {"id": 9100000000000000001, "name": "#1", "test": false, "location_id": %s, "line_items": [
                  {"id": 9100000000000000002, "sku": "A-1", "quantity": 2, "gift_card": false,
                   "variant_inventory_management": "shopify"}]}""".formatted(quito));
        PullSafetyTest.pullAndWait(store.storeId(), Map.of("skipRecentPushCheck", true));
        assertEquals(5, sandbox.shopify().available("A-1", quito), "7 in w2, 2 of them sold and not booked yet");
        assertEquals(3, sandbox.shopify().available("A-1"), "5 in the integration's warehouse; the sale elsewhere is"
                + " held back here too until it is booked (never an oversell)");
    }

    @Test
    void aRestockWaitingAtAnotherLocationDoesNotRaiseTheOwnLocation() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        product("A-1", 5, 7, 5);
        sandbox.shopify().setAvailable("A-1", quito, 7);
        Api.admin().body(Map.of("locations", List.of(
                Map.of("locationId", quito, "warehouseIds", List.of(w2))))).put(base + "/locations").then().statusCode(200);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        // The worker is off: 3 units returned at Quito wait in the queue, not booked in w2 yet.
        Sandbox.deliverShopify(store.storeId(), "refunds/create", """
                {"id": 9100000000000000011, "order_id": 9100000000000000012, "refund_line_items": [
                  {"id": 9100000000000000013, "line_item_id": 1, "quantity": 3, "restock_type": "return",
                   "location_id": %s, "line_item": {"sku": "A-1", "gift_card": false}}]}""".formatted(quito));
        assertEquals(1, db.count("SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'PENDING'",
                store.storeId()));

        Api.admin().body(Map.of("skus", List.of("A-1"), "skipRecentPushCheck", true)).post(base + "/pull/selective")
                .then().statusCode(200);
        assertEquals(5, sandbox.shopify().available("A-1"), "a selective pull: the 3 units are at Quito, not here");
        PullSafetyTest.pullAndWait(store.storeId(), Map.of("skipRecentPushCheck", true));
        assertEquals(5, sandbox.shopify().available("A-1"), "a full pull: the 3 units are at Quito, not here");
        assertEquals(10, sandbox.shopify().available("A-1", quito), "7 in w2 and the 3 returned there");
    }

    @Test
    void aDeltaPullFindsAChangeInAWarehouseOnlyAnotherLocationSums() {
        String quito = sandbox.shopify().addLocation("Tienda Quito");
        String a1 = product("A-1", 5, 7, 5);
        sandbox.contifico().setStock(a1, w3, BigDecimal.valueOf(4));
        sandbox.shopify().setAvailable("A-1", quito, 0);
        Api.admin().body(Map.of("locations", List.of(
                Map.of("locationId", quito, "warehouseIds", List.of(w2))))).put(base + "/locations").then().statusCode(200);
        Api.admin().post(base + "/catalog/import").then().statusCode(200);
        assertEquals("DONE", PullSafetyTest.pullAndWait(store.storeId(), Map.of()).getString("status"));
        assertEquals(7, sandbox.shopify().available("A-1", quito));

        // w3 (unmapped) to w2 (Quito's): the catalogue total does not move; only w2's transfer in says so.
        sandbox.contifico().addMovement("TRA", ec.stocksync.contifico.NewMovement.today(), w3, w2,
                Map.of(a1, BigDecimal.valueOf(4)));
        io.restassured.path.json.JsonPath d = PullSafetyTest.pullAndWait(store.storeId(), Map.of("mode", "delta"));
        assertEquals(1, d.getInt("total"));
        assertEquals(11, sandbox.shopify().available("A-1", quito));
        assertEquals(5, sandbox.shopify().available("A-1"));
    }
}
