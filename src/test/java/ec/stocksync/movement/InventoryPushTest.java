package ec.stocksync.movement;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.FaultType;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class InventoryPushTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    Sandbox.Wired store;
    ContificoSimulator contifico;
    final List<WorkerPool> extraPools = new ArrayList<>();

    @BeforeEach
    void setUp() {
        sandbox.reset();
        contifico = sandbox.contifico();
        store = sandbox.shopifyStore();
    }

    @AfterEach
    void stopWorkers() {
        worker.main().stop();
        extraPools.forEach(WorkerPool::stop);
        contifico.clearFaults();
    }

    List<Row> movements() {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", store.storeId());
    }

    void awaitAll(String status, int expected, Duration timeout) {
        Sandbox.await(expected + " movements " + status, timeout, () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = $2",
                store.storeId(), status) == expected);
    }

    BigDecimal contificoStock(String productId) {
        return contifico.stock(productId, store.warehouseId());
    }

    List<ContificoSimulator.SimMovement> booked() {
        return contifico.movements();
    }

    @Test
    void aSaleIsPushedAsOneEgrAndPulledBackIntoSyncLogs() {
        // Shopify already took the 2 units off its own stock when it created the order.
        String productId = sandbox.product(store, "PT-0002-50ml", 101, 99);
        worker.main().start();

        sandbox.sell(store.storeId(), "PT-0002-50ml", 2);
        awaitAll("DONE", 1, Duration.ofSeconds(15));

        List<ContificoSimulator.SimMovement> egr = booked();
        assertEquals(1, egr.size());
        assertEquals("EGR", egr.get(0).tipo());
        assertEquals(0, new BigDecimal("2").compareTo(egr.get(0).detalles().get(0).cantidad()));
        assertEquals(0, new BigDecimal("99").compareTo(contificoStock(productId)));
        assertEquals(99, sandbox.shopify().available("PT-0002-50ml"));

        Row log = db.rows("SELECT * FROM sync_logs WHERE store_id = $1 AND sku = 'PT-0002-50ml'", store.storeId()).get(0);
        assertEquals("SALE", log.getString("trigger"));
        assertEquals("UNCHANGED", log.getString("action"));
        assertEquals(0, new BigDecimal("99").compareTo(log.getBigDecimal("contifico_stock")));
        assertEquals(99, log.getInteger("store_stock_after"));
        Row m = movements().get(0);
        assertEquals(egr.get(0).id(), m.getString("contifico_movement_id"));
        assertTrue(egr.get(0).descripcion().contains(m.getString("contifico_reference")), egr.get(0).descripcion());

        Row cache = db.rows("SELECT * FROM stock_cache WHERE store_id = $1 AND sku = 'PT-0002-50ml'", store.storeId()).get(0);
        assertEquals(0, new BigDecimal("99").compareTo(cache.getBigDecimal("contifico_stock")));
        assertEquals(99, cache.getInteger("store_stock"));
    }

    @Test
    void thePostPushPullCorrectsAStorefrontThatDrifted() {
        String productId = sandbox.product(store, "CAM-001-M", 25, 40);
        worker.main().start();
        sandbox.sell(store.storeId(), "CAM-001-M", 1);
        awaitAll("DONE", 1, Duration.ofSeconds(15));
        assertEquals(0, new BigDecimal("24").compareTo(contificoStock(productId)));
        assertEquals(24, sandbox.shopify().available("CAM-001-M"));
        Row log = db.rows("SELECT * FROM sync_logs WHERE store_id = $1", store.storeId()).get(0);
        assertEquals("UPDATED", log.getString("action"));
        assertEquals(40, log.getInteger("store_stock_before"));
    }

    @Test
    void aSaleDuringASelectivePullOfTheSameSkuCompletesWithoutDeadlock() throws Exception {
        String productId = sandbox.product(store, "PT-0001-30ml", 40, 40);
        contifico.setFault(Endpoint.PRODUCT_STOCK, Fault.latency(400, 1));
        CompletableFuture<Integer> pull = CompletableFuture.supplyAsync(() -> Api.admin()
                .body(Map.of("skus", List.of("PT-0001-30ml"), "skipRecentPushCheck", true))
                .post("/api/stores/" + store.storeId() + "/pull/selective").then().extract().statusCode());
        worker.main().start();
        sandbox.sell(store.storeId(), "PT-0001-30ml", 3);

        assertEquals(200, pull.get());
        awaitAll("DONE", 1, Duration.ofSeconds(15));
        assertEquals(0, new BigDecimal("37").compareTo(contificoStock(productId)));
        Sandbox.await("storefront at 37", Duration.ofSeconds(5), () -> sandbox.shopify().available("PT-0001-30ml") == 37);
    }

    @Test
    void whileContificoIsDownThePushIsRetriedNeverPulledThenDeadAndRetryFinishesIt() {
        String productId = sandbox.product(store, "PT-0002-50ml", 101, 99);
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.always(FaultType.ERROR_500));
        worker.main().start();
        sandbox.sell(store.storeId(), "PT-0002-50ml", 2);

        awaitAll("DEAD", 1, Duration.ofSeconds(20));
        Row dead = movements().get(0);
        assertEquals(3, dead.getInteger("attempts"));
        assertTrue(dead.getString("last_error").contains("500") || dead.getString("last_error").contains("look-up"),
                dead.getString("last_error"));
        // Counted for this product only: an earlier test's post-push retry (another store) may call the simulator too.
        assertEquals(0, contifico.requests().stream().filter(r -> r.endpoint() == Endpoint.PRODUCT_STOCK
                && r.path().contains(productId)).count(), "no pull after a failed push");
        assertEquals(0, db.count("SELECT count(*) FROM sync_logs WHERE store_id = $1", store.storeId()));
        assertTrue(contifico.count(Endpoint.MOVEMENT_CREATE) >= 3);
        assertEquals(0, booked().size());

        contifico.clearFaults();
        Api.admin().post("/api/movements/" + dead.getLong("id") + "/retry").then().statusCode(200)
                .body("status", equalTo("PENDING"));
        awaitAll("DONE", 1, Duration.ofSeconds(15));
        assertEquals(1, booked().size());
        assertEquals(0, new BigDecimal("99").compareTo(contificoStock(productId)));
        Api.admin().post("/api/movements/" + dead.getLong("id") + "/retry").then().statusCode(409)
                .body("error", equalTo("movement_not_dead"));
    }

    @Test
    void aPushStoredByContificoWhoseAnswerWasLostIsBookedExactlyOnce() {
        String productId = sandbox.product(store, "PT-0002-50ml", 101, 99);
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.STORED_RESPONSE_LOST));
        worker.main().start();
        sandbox.sell(store.storeId(), "PT-0002-50ml", 2);

        awaitAll("DONE", 1, Duration.ofSeconds(20));
        assertEquals(1, booked().size(), "the lost answer must not lead to a second EGR");
        assertEquals(1, contifico.count(Endpoint.MOVEMENT_CREATE));
        assertTrue(contifico.count(Endpoint.MOVEMENT_LIST) >= 1, "the reference was looked up");
        assertEquals(0, new BigDecimal("99").compareTo(contificoStock(productId)));
        assertEquals(booked().get(0).id(), movements().get(0).getString("contifico_movement_id"));
    }

    @Test
    void aHangPastTheTimeoutIsSettledByTheLookupNotByASecondPost() {
        String productId = sandbox.product(store, "PT-0002-50ml", 101, 99);
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.HANG));
        worker.main().start();
        sandbox.sell(store.storeId(), "PT-0002-50ml", 2);

        awaitAll("DONE", 1, Duration.ofSeconds(20));
        assertEquals(1, booked().size());
        assertEquals(0, new BigDecimal("99").compareTo(contificoStock(productId)));
    }

    @Test
    void aSkuContificoDoesNotListGoesDeadAtOnceWithTheReason() {
        sandbox.shopify().addProduct("Sin ERP", ec.stocksync.sandbox.storefront.ShopifySimulator.variant("NOPE-1", "x", 5));
        worker.main().start();
        sandbox.sell(store.storeId(), "NOPE-1", 1);
        awaitAll("DEAD", 1, Duration.ofSeconds(15));
        Row m = movements().get(0);
        assertEquals(1, m.getInteger("attempts"));
        assertTrue(m.getString("last_error").contains("para_pos"), m.getString("last_error"));
        assertEquals(0, contifico.count(Endpoint.MOVEMENT_CREATE));
    }

    @Test
    void salesOfAStoreWithoutIntegrationWaitForOneWithoutSpendingAttempts() {
        long bare = Api.createStore(Map.of("name", "Sin ERP aún", "platform", "shopify", "shopDomain", "bare.myshopify.com",
                "apiBaseUrl", sandbox.shopify().baseUrl(), "accessToken", sandbox.shopify().accessToken(),
                "locationId", sandbox.shopify().locationId(), "webhookSecret", Api.SHOPIFY_SECRET));
        String productId = sandbox.product(store, "LATE-1", 10, 9);
        worker.main().start();
        sandbox.sell(bare, "LATE-1", 1);
        Sandbox.await("the first attempt", Duration.ofSeconds(10), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND last_error LIKE '%integration%'", bare) == 1);
        Row waiting = db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1", bare).get(0);
        assertEquals("PENDING", waiting.getString("status"));
        assertEquals(0, waiting.getInteger("attempts"));

        Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey", contifico.apiKey(),
                "warehouseId", store.warehouseId())).post("/api/stores/" + bare + "/integrations").then().statusCode(201);
        Sandbox.await("the sale pushed once the integration exists", Duration.ofSeconds(15), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'", bare) == 1);
        assertEquals(0, new BigDecimal("9").compareTo(contificoStock(productId)));
    }

    @Test
    void aCachedProductIdContificoNoLongerKnowsIsResolvedAgainNotDead() {
        String productId = sandbox.product(store, "MOVED-1", 10, 9);
        db.rows("INSERT INTO stock_cache (store_id, sku, contifico_product_id) VALUES ($1, 'MOVED-1', 'StaleStaleStale0') RETURNING sku",
                store.storeId());
        worker.main().start();
        sandbox.sell(store.storeId(), "MOVED-1", 1);
        awaitAll("DONE", 1, Duration.ofSeconds(15));
        assertEquals(1, booked().size());
        assertEquals(0, new BigDecimal("9").compareTo(contificoStock(productId)));
        assertEquals(productId, db.rows("SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = 'MOVED-1'",
                store.storeId()).get(0).getString(0));
    }

    @Test
    void theReferenceOpensTheContificoDescriptionSoNoTruncationLosesIt() {
        sandbox.product(store, "PT-0002-50ml", 101, 99);
        worker.main().start();
        sandbox.sell(store.storeId(), "PT-0002-50ml", 2);
        awaitAll("DONE", 1, Duration.ofSeconds(15));
        String descripcion = booked().get(0).descripcion();
        assertTrue(descripcion.startsWith(movements().get(0).getString("contifico_reference")), descripcion);
        assertTrue(descripcion.length() <= 250, descripcion);
    }

    @Test
    void aBurstOfFiftySalesOfOneSkuCostsAtMostTenContificoCalls() throws Exception {
        String productId = sandbox.product(store, "HOT-1", 500, 450);
        contifico.setFault(Endpoint.ANY, Fault.latency(300, -1));
        int callsBefore = contifico.totalCount();
        worker.main().start();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<?>> sales = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                sales.add(pool.submit(() -> sandbox.sell(store.storeId(), "HOT-1", 1)));
            }
            for (Future<?> f : sales) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        awaitAll("DONE", 50, Duration.ofSeconds(30));

        int calls = contifico.totalCount() - callsBefore;
        System.out.printf("burst of 50 sales: %d Contifico calls (%d movement POSTs, %d stock reads, %d searches)%n", calls,
                contifico.count(Endpoint.MOVEMENT_CREATE), contifico.count(Endpoint.PRODUCT_STOCK),
                contifico.count(Endpoint.PRODUCT_LIST));
        assertTrue(calls <= 10, "50 sales cost " + calls + " Contifico calls");
        assertEquals(0, new BigDecimal("450").compareTo(contificoStock(productId)));
        assertEquals(0, new BigDecimal("50").compareTo(booked().stream()
                .map(m -> m.detalles().get(0).cantidad()).reduce(BigDecimal.ZERO, BigDecimal::add)));
        Sandbox.await("storefront at 450", Duration.ofSeconds(5), () -> sandbox.shopify().available("HOT-1") == 450);
    }

    @Test
    void twoWorkersDrainFiveHundredMovementsOverTwentySkusBookingEachOnce() {
        List<String> productIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            productIds.add(sandbox.product(store, "SKU-" + i, 1000, 1000));
        }
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.randomLatency(5, 40, -1));
        // 500 sales queued at once, as if a flood of webhooks had just been committed.
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, integration_id, sku, kind, quantity, business_key, order_id, order_name)
                SELECT $1, $2, 'SKU-' || (g % 20), 'SALE', 1 + (g % 3), 'load:' || g, g::text, '#' || g
                FROM generate_series(1, 500) g RETURNING id""", store.storeId(), store.integrationId());
        long expectedUnits = db.count("SELECT sum(quantity) FROM inventory_movements_queue WHERE store_id = $1", store.storeId());

        WorkerPool second = worker.newPool("second-worker");
        extraPools.add(second);
        worker.main().start();
        second.start();
        awaitAll("DONE", 500, Duration.ofSeconds(90));

        BigDecimal bookedUnits = booked().stream().flatMap(m -> m.detalles().stream())
                .map(ContificoSimulator.SimLine::cantidad).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(expectedUnits, bookedUnits.longValueExact(), "Contifico booked exactly the units sold");
        for (int i = 0; i < 20; i++) {
            long sold = db.count("SELECT coalesce(sum(quantity), 0) FROM inventory_movements_queue WHERE store_id = $1 AND sku = $2",
                    store.storeId(), "SKU-" + i);
            assertEquals(0, BigDecimal.valueOf(1000 - sold).compareTo(contificoStock(productIds.get(i))), "SKU-" + i);
            assertEquals(1, contifico.maxConcurrentMovementPosts(productIds.get(i)), "one push at a time for SKU-" + i);
        }
        // Each Contifico movement carries exactly the movements that point at it.
        for (ContificoSimulator.SimMovement m : booked()) {
            long units = db.count("SELECT coalesce(sum(quantity), 0) FROM inventory_movements_queue WHERE contifico_movement_id = $1", m.id());
            assertEquals(m.detalles().get(0).cantidad().longValueExact(), units, m.descripcion());
        }
    }
}
