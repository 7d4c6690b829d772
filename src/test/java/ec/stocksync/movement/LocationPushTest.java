package ec.stocksync.movement;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.FaultType;
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
import java.util.concurrent.atomic.AtomicLong;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 14 D: a sale or restock is booked in the warehouse of the storefront location that fulfils it. */
@QuarkusTest
class LocationPushTest {

    private static final AtomicLong IDS = new AtomicLong(8_100_000_000_000_000_000L);

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    Sandbox.Wired store;
    ContificoSimulator contifico;
    String quito;
    String guayaquil;
    String w2;
    String w3;
    String product;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        contifico = sandbox.contifico();
        store = sandbox.shopifyStore();
        quito = sandbox.shopify().addLocation("Tienda Quito");
        guayaquil = sandbox.shopify().addLocation("Tienda Guayaquil");
        w2 = contifico.addWarehouse("BQ2", "Bodega Quito").id();
        w3 = contifico.addWarehouse("BQ3", "Bodega Quito Norte").id();
        product = sandbox.product(store, "CAM-001-M", 20, 20);
        contifico.setStock(product, w2, BigDecimal.TEN);
        contifico.setStock(product, w3, BigDecimal.TEN);
    }

    @AfterEach
    void stopWorker() {
        worker.main().stop();
        contifico.clearFaults();
    }

    private void map(Object... entries) {
        Api.admin().body(Map.of("locations", List.of(entries))).put("/api/stores/" + store.storeId() + "/locations")
                .then().statusCode(200);
    }

    private static Map<String, Object> location(String id, List<String> warehouses, String push) {
        return Map.of("locationId", id, "warehouseIds", warehouses, "pushWarehouseId", push);
    }

    /** A Shopify orders/create of one line taken at {@code location} (JSON null: the order names none). */
    private void sellAt(String location, int quantity) {
        long order = IDS.incrementAndGet();
        Sandbox.deliverShopify(store.storeId(), "orders/create", """
                {"id": %d, "name": "#%d", "test": false, "location_id": %s, "line_items": [
                  {"id": %d, "sku": "CAM-001-M", "quantity": %d, "gift_card": false,
                   "variant_inventory_management": "shopify"}]}""".formatted(order, order % 100000, location, order + 1,
                quantity));
    }

    private void awaitDone(int expected) {
        Sandbox.await(expected + " movements DONE", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'",
                store.storeId()) == expected);
    }

    private BigDecimal stock(String warehouse) {
        return contifico.stock(product, warehouse);
    }

    private static void assertUnits(int expected, BigDecimal actual, String what) {
        assertEquals(0, BigDecimal.valueOf(expected).compareTo(actual), what + ": " + actual);
    }

    @Test
    void aSaleAtALocationIsBookedInThatLocationsPushWarehouse() {
        map(location(quito, List.of(w2, w3), w3));
        worker.main().start();
        sellAt(quito, 3);
        awaitDone(1);

        List<ContificoSimulator.SimMovement> booked = contifico.movements();
        assertEquals(1, booked.size());
        assertEquals("EGR", booked.get(0).tipo());
        assertEquals(w3, booked.get(0).bodegaId());
        assertUnits(7, stock(w3), "the push warehouse lost the units");
        assertUnits(10, stock(w2), "the other summed warehouse is untouched");
        assertUnits(20, stock(store.warehouseId()), "the integration's warehouse is untouched");
        long id = db.rows("SELECT id FROM inventory_movements_queue WHERE store_id = $1", store.storeId()).get(0).getLong(0);
        Api.admin().get("/api/movements/" + id).then().statusCode(200)
                .body("storefrontLocationId", equalTo(quito)).body("contificoWarehouseId", equalTo(w3));
    }

    @Test
    void aRefundLineRestocksTheWarehouseOfItsLocation() {
        map(location(quito, List.of(w2), w2));
        worker.main().start();
        long refund = IDS.incrementAndGet();
        Sandbox.deliverShopify(store.storeId(), "refunds/create", """
                {"id": %d, "order_id": %d, "refund_line_items": [
                  {"id": %d, "line_item_id": 1, "quantity": 2, "restock_type": "return", "location_id": %s,
                   "line_item": {"sku": "CAM-001-M", "gift_card": false}}]}""".formatted(refund, refund + 1, refund + 2, quito));
        awaitDone(1);
        assertEquals(w2, contifico.movements().get(0).bodegaId());
        assertEquals("ING", contifico.movements().get(0).tipo());
        assertUnits(12, stock(w2), "the units went back where they were returned");
    }

    @Test
    void anOrderWithoutLocationBooksAtTheStoresOwnLocationAndAnUnmappedOneAtTheIntegrationsWarehouse() {
        // The store's own location follows w2 (not the integration's warehouse); Guayaquil is not in the map.
        map(location(sandbox.shopify().locationId(), List.of(w2), w2), location(quito, List.of(w3), w3));
        worker.main().start();
        sellAt("null", 1);
        awaitDone(1);
        sellAt(guayaquil, 2);
        awaitDone(2);

        List<ContificoSimulator.SimMovement> booked = contifico.movements();
        assertEquals(List.of(w2, store.warehouseId()), booked.stream().map(ContificoSimulator.SimMovement::bodegaId).toList());
        assertUnits(9, stock(w2), "no location named: the store's own location's warehouse");
        assertUnits(18, stock(store.warehouseId()), "a location outside the map: the integration's warehouse");
        assertUnits(10, stock(w3), "untouched");
    }

    @Test
    void withoutAMapEverySaleIsBookedInTheIntegrationsWarehouseWhateverItsLocation() {
        worker.main().start();
        sellAt(quito, 1);
        sellAt("null", 1);
        awaitDone(2);
        assertUnits(18, stock(store.warehouseId()), "both sales");
        contifico.movements().forEach(m -> assertEquals(store.warehouseId(), m.bodegaId()));
    }

    @Test
    void aPushInDoubtIsSettledInTheWarehouseItWasSentToEvenAfterTheMapChanged() {
        map(location(quito, List.of(w2, w3), w2));
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.STORED_RESPONSE_LOST));
        // The look-up cannot settle it yet: the doubt stays while the map changes.
        contifico.setFault(Endpoint.MOVEMENT_LIST, Fault.always(FaultType.ERROR_500));
        worker.main().start();
        sellAt(quito, 4);
        Sandbox.await("the push in doubt", Duration.ofSeconds(20), () -> contifico.count(Endpoint.MOVEMENT_CREATE) == 1
                && db.count("SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'PENDING'"
                + " AND push_outcome_unknown", store.storeId()) == 1);
        worker.main().stop();
        Sandbox.await("no push in flight", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'IN_PROGRESS'",
                store.storeId()) == 0);
        map(location(quito, List.of(w2, w3), w3));
        contifico.clearFaults();
        worker.main().start();
        awaitDone(1);

        assertEquals(1, contifico.movements().size(), "found by its reference in w2, not booked again in w3");
        assertEquals(1, contifico.count(Endpoint.MOVEMENT_CREATE));
        assertUnits(6, stock(w2), "booked once, where it was sent");
        assertUnits(10, stock(w3), "the new push warehouse is untouched");
    }

    /** Leaves one sale at {@code location} in doubt (its outcome unknown, the look-up failing), the worker stopped. */
    private void leaveInDoubt(String location, int quantity, FaultType createFault) {
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(createFault));
        contifico.setFault(Endpoint.MOVEMENT_LIST, Fault.always(FaultType.ERROR_500));
        worker.main().start();
        sellAt(location, quantity);
        Sandbox.await("the push in doubt", Duration.ofSeconds(20), () -> contifico.count(Endpoint.MOVEMENT_CREATE) == 1
                && db.count("SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'PENDING'"
                + " AND push_outcome_unknown", store.storeId()) == 1);
        worker.main().stop();
        Sandbox.await("no push in flight", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'IN_PROGRESS'",
                store.storeId()) == 0);
    }

    @Test
    void aPushInDoubtFromBeforeTheMapIsSettledInTheIntegrationsWarehouseNotBookedTwice() {
        // No map yet: the sale at Quito goes to the integration's warehouse and its outcome is lost.
        leaveInDoubt(quito, 4, FaultType.STORED_RESPONSE_LOST);
        // As a row sent before V22 added the column: no warehouse recorded.
        assertEquals(1, db.rows("UPDATE inventory_movements_queue SET contifico_warehouse_id = NULL WHERE store_id = $1"
                + " RETURNING id", store.storeId()).size());
        map(location(quito, List.of(w2, w3), w3));
        contifico.clearFaults();
        worker.main().start();
        awaitDone(1);

        assertEquals(1, contifico.count(Endpoint.MOVEMENT_CREATE), "found by its reference, not sent again");
        assertEquals(1, contifico.movements().size());
        assertUnits(16, stock(store.warehouseId()), "booked once, where it was sent");
        assertUnits(10, stock(w3), "the mapped push warehouse is untouched");
    }

    @Test
    void aPushInDoubtThatNeverLandedIsPushedAgainToTheWarehouseTheMapNowNames() {
        map(location(quito, List.of(w2, w3), w2));
        // The request never reached Contifico, but the worker cannot know: in doubt, recorded for w2.
        leaveInDoubt(quito, 4, FaultType.DROP_CONNECTION);
        map(location(quito, List.of(w2, w3), w3));
        contifico.clearFaults();
        worker.main().start();
        awaitDone(1);

        assertEquals(1, contifico.movements().size());
        assertEquals(w3, contifico.movements().get(0).bodegaId(), "a fresh push follows the map of now");
        assertUnits(6, stock(w3), "booked in the new push warehouse");
        assertUnits(10, stock(w2), "the old push warehouse is untouched");
    }

    @Test
    void aWooCommerceSaleIsBookedInItsOneLocationsPushWarehouseAndPulledBackAsTheSum() {
        Sandbox.Wired woo = sandbox.wooStore();
        String id = sandbox.wooProduct(woo, "WOO-1", 5, 13);
        contifico.setStock(id, w2, BigDecimal.valueOf(8));
        Api.admin().body(Map.of("locations", List.of(Map.of("warehouseIds", List.of(woo.warehouseId(), w2),
                "pushWarehouseId", w2)))).put("/api/stores/" + woo.storeId() + "/locations").then().statusCode(200);
        worker.main().start();
        sandbox.sellWoo(woo.storeId(), "WOO-1", 3);
        Sandbox.await("the Woo sale DONE", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'",
                woo.storeId()) == 1);
        assertEquals(w2, contifico.movements().get(0).bodegaId());
        assertUnits(5, contifico.stock(id, w2), "8 - 3");
        assertUnits(5, contifico.stock(id, woo.warehouseId()), "untouched");
        // The post-push pull publishes the one location's sum: 5 + 5.
        assertEquals(10, sandbox.woo().stockOf("WOO-1"));
    }
}
