package ec.stocksync.sync;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class SelectivePullTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;

    Sandbox.Wired store;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
    }

    io.restassured.response.ValidatableResponse pull(Map<String, Object> body) {
        return Api.admin().body(body).post("/api/stores/" + store.storeId() + "/pull/selective").then();
    }

    @Test
    void copiesContificoStockToTheStorefrontAndLogsAManualPull() {
        sandbox.product(store, "A-1", 30, 25);
        sandbox.product(store, "A-2", 10, 10);
        pull(Map.of("skus", List.of("A-1", "A-2")))
                .statusCode(200)
                .body("processed", equalTo(2))
                .body("updated", equalTo(1))
                .body("unchanged", equalTo(1))
                .body("results[0].sku", equalTo("A-1"))
                .body("results[0].action", equalTo("UPDATED"))
                .body("results[0].storeStockBefore", equalTo(25))
                .body("results[0].storeStockAfter", equalTo(30));
        assertEquals(30, sandbox.shopify().available("A-1"));
        Row log = db.rows("SELECT * FROM sync_logs WHERE store_id = $1 AND sku = 'A-1'", store.storeId()).get(0);
        assertEquals("MANUAL", log.getString("trigger"));
        assertEquals("UPDATED", log.getString("action"));
        Row cache = db.rows("SELECT * FROM stock_cache WHERE store_id = $1 AND sku = 'A-1'", store.storeId()).get(0);
        assertEquals(30, cache.getInteger("store_stock"));
        assertEquals(0, new BigDecimal("30").compareTo(cache.getBigDecimal("contifico_stock")));
    }

    @Test
    void aDryRunReportsTheChangeAndWritesNothing() {
        sandbox.product(store, "A-1", 30, 25);
        pull(Map.of("skus", List.of("A-1"), "dryRun", true)).statusCode(200)
                .body("results[0].action", equalTo("DRY_RUN"))
                .body("results[0].storeStockAfter", equalTo(30));
        assertEquals(25, sandbox.shopify().available("A-1"));
        assertEquals(0, db.count("SELECT count(*) FROM stock_cache WHERE store_id = $1 AND store_stock IS NOT NULL", store.storeId()));
    }

    @Test
    void aNegativeContificoFigureIsPublishedAsZeroAndKeptInTheLog() {
        sandbox.product(store, "NEG-1", -5, 3);
        pull(Map.of("skus", List.of("NEG-1"))).statusCode(200).body("results[0].storeStockAfter", equalTo(0));
        assertEquals(0, sandbox.shopify().available("NEG-1"));
        Row log = db.rows("SELECT * FROM sync_logs WHERE store_id = $1", store.storeId()).get(0);
        assertEquals(0, new BigDecimal("-5").compareTo(log.getBigDecimal("contifico_stock")));
    }

    @Test
    void aSaleStillInTheQueueIsNotPutBackOnSale() {
        sandbox.product(store, "Q-1", 30, 30);
        // The storefront sold 2 units; the worker has not pushed them to Contifico yet.
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, integration_id, sku, kind, quantity, business_key)
                VALUES ($1, $2, 'Q-1', 'SALE', 2, 'queued-sale') RETURNING id""", store.storeId(), store.integrationId());
        pull(Map.of("skus", List.of("Q-1"))).statusCode(200)
                .body("results[0].action", equalTo("UPDATED"))
                .body("results[0].storeStockAfter", equalTo(28));
        assertEquals(28, sandbox.shopify().available("Q-1"));
        Row log = db.rows("SELECT * FROM sync_logs WHERE store_id = $1", store.storeId()).get(0);
        assertEquals(0, new BigDecimal("30").compareTo(log.getBigDecimal("contifico_stock")), "the log keeps Contifico's own figure");
    }

    @Test
    void aRecentlyPushedSkuIsSkippedUnlessAsked() {
        sandbox.product(store, "A-1", 30, 25);
        db.rows("INSERT INTO stock_cache (store_id, sku, last_pushed_at) VALUES ($1, 'A-1', now() - interval '1 minute') RETURNING sku",
                store.storeId());
        pull(Map.of("skus", List.of("A-1"))).statusCode(200)
                .body("skipped", equalTo(1)).body("results[0].action", equalTo("SKIPPED_RECENT_PUSH"));
        assertEquals(25, sandbox.shopify().available("A-1"));
        pull(Map.of("skus", List.of("A-1"), "skipRecentPushCheck", true)).statusCode(200)
                .body("results[0].action", equalTo("UPDATED"));
        assertEquals(30, sandbox.shopify().available("A-1"));
    }

    @Test
    void oneFailingSkuDoesNotStopTheOthers() {
        sandbox.product(store, "A-1", 30, 25);
        sandbox.contifico().setFault(ContificoSimulator.Endpoint.PRODUCT_LIST, ContificoSimulator.Fault.once(
                ContificoSimulator.FaultType.ERROR_500));
        pull(Map.of("skus", List.of("MISSING-1", "A-1"))).statusCode(200)
                .body("failed", equalTo(1))
                .body("results[0].action", equalTo("ERROR"))
                .body("results[0].error", containsString("MISSING-1"))
                .body("results[1].action", equalTo("UPDATED"));
        assertEquals(1, db.count("SELECT count(*) FROM sync_logs WHERE store_id = $1 AND action = 'ERROR'", store.storeId()));
    }

    @Test
    void badRequestsNameTheField() {
        pull(Map.of("skus", List.of())).statusCode(400).body("message", containsString("skus"));
        pull(Map.of("sku", "A-1")).statusCode(400).body("error", equalTo("unknown_field"));
        Api.admin().body(Map.of("skus", List.of("A-1"))).post("/api/stores/999999/pull/selective").then()
                .statusCode(404);
    }

    @Test
    void aSelectivePullThatWouldZeroManySkusWritesNothingUnlessForced() {
        List<String> skus = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String sku = "Z-" + i;
            skus.add(sku);
            sandbox.product(store, sku, 0, 5);
        }
        pull(Map.of("skus", skus)).statusCode(409)
                .body("error", equalTo("pull_blocked"))
                .body("message", containsString("12 of 12"))
                .body("message", containsString("force"));
        assertEquals(5, sandbox.shopify().available("Z-0"));
        assertEquals(0, db.count("SELECT count(*) FROM sync_logs WHERE store_id = $1", store.storeId()));

        pull(Map.of("skus", skus, "force", true)).statusCode(200).body("updated", equalTo(12));
        assertEquals(0, sandbox.shopify().available("Z-0"));
    }
}
