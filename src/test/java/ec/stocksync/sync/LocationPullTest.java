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
}
