package ec.stocksync.sync;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.movement.MovementWorker;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
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

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class FullPullTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;
    @Inject
    PullScheduler scheduler;

    Sandbox.Wired store;

    @BeforeEach
    void setUp() {
        sandbox.reset();
    }

    @AfterEach
    void tearDown() {
        worker.main().stop();
        sandbox.contifico().clearFaults();
    }

    ExtractableResponse<Response> pull(Map<String, Object> body) {
        return Api.admin().body(body).post("/api/stores/" + store.storeId() + "/pull?wait=true").then().extract();
    }

    void importCatalog() {
        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200);
    }

    @Test
    void aShopifyCatalogueImportMapsBothSidesAndReportsWhatIsOnOneSideOnly() {
        store = sandbox.shopifyStore();
        sandbox.product(store, "BOTH-1", 10, 8);
        sandbox.product(store, "BOTH-2", 5, 5);
        sandbox.shopify().addProduct("Solo en tienda", ShopifySimulator.variant("SHOP-ONLY", "x", 3));
        sandbox.contificoProduct(store, "ERP-ONLY", 7);

        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200)
                .body("storefrontSkus", equalTo(3))
                .body("mapped", equalTo(2))
                .body("storefrontOnly.sku", equalTo(List.of("SHOP-ONLY")))
                .body("storefrontOnly[0].reason", containsString("para_pos"))
                .body("contificoOnly.sku", equalTo(List.of("ERP-ONLY")));

        Row row = db.rows("SELECT * FROM stock_cache WHERE store_id = $1 AND sku = 'BOTH-1'", store.storeId()).get(0);
        assertEquals(8, row.getInteger("store_stock"));
        assertTrue(row.getString("inventory_item_id").startsWith("gid://shopify/InventoryItem/"));
        assertEquals(sandbox.contifico().movements().size(), 0);
        assertTrue(row.getString("contifico_product_id") != null);
        // Re-runnable: a second import changes nothing and duplicates nothing.
        importCatalog();
        assertEquals(3, db.count("SELECT count(*) FROM stock_cache WHERE store_id = $1", store.storeId()));
    }

    @Test
    void aWooCommerceCatalogueImportMapsVariationsAndReportsUnmappedSkus() {
        store = sandbox.wooStore();
        WooCommerceSimulator woo = sandbox.woo();
        woo.addSimple("Taza", "TAZA-01", 30);
        woo.addVariable("Camiseta", "CAM", WooCommerceSimulator.variation("CAM-S", "S", 4),
                WooCommerceSimulator.variation("CAM-M", "M", 6));
        woo.addSimple("Sin ERP", "WOO-ONLY", 1);
        for (String sku : List.of("TAZA-01", "CAM-S", "CAM-M")) {
            sandbox.contificoProduct(store, sku, 20);
        }
        sandbox.contificoProduct(store, "ERP-ONLY", 2);

        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200)
                .body("mapped", equalTo(3))
                .body("storefrontOnly.sku", equalTo(List.of("WOO-ONLY")))
                .body("contificoOnly.sku", equalTo(List.of("ERP-ONLY")));
        Row variation = db.rows("SELECT * FROM stock_cache WHERE store_id = $1 AND sku = 'CAM-M'", store.storeId()).get(0);
        assertEquals(6, variation.getInteger("store_stock"));
        assertTrue(variation.getString("storefront_variant_id") != null, "a variation keeps its parent and its own id");

        // And the mapping is enough for a full pull to write the variations through WooCommerce.
        pull(Map.of()).response().then().statusCode(200).body("updated", equalTo(3));
        assertEquals(20, woo.stockOf("CAM-M"));
        assertEquals(20, woo.stockOf("TAZA-01"));
    }

    @Test
    void aFullPullOfAThousandSkusWritesOnlyTheHundredThatDiffer() {
        store = sandbox.shopifyStore();
        ContificoSimulator contifico = sandbox.contifico();
        for (int i = 0; i < 1000; i++) {
            String sku = "SKU-%04d".formatted(i);
            boolean differs = i % 10 == 0;
            int erp = i == 10 ? -3 : 50;
            sandbox.product(store, sku, erp, differs ? 40 : 50);
        }
        // One more SKU that differs, but was pushed a minute ago: its own post-push pull owns it.
        sandbox.product(store, "SKU-RECENT", 50, 40);
        importCatalog();
        db.rows("UPDATE stock_cache SET last_pushed_at = now() - interval '1 minute' WHERE store_id = $1 AND sku = 'SKU-RECENT' RETURNING sku",
                store.storeId());
        int contificoCallsBefore = contifico.totalCount();

        ExtractableResponse<Response> dry = pull(Map.of("dryRun", true));
        assertEquals(200, dry.statusCode());
        assertEquals(100, dry.jsonPath().getInt("updated"));
        assertEquals(100, dry.jsonPath().getList("changes").size(), "the preview lists what would change");
        assertEquals("DRY_RUN", dry.jsonPath().getString("changes[0].action"));
        assertEquals(0, sandbox.shopify().stockWrites().size(), "a dry run writes nothing to the storefront");
        assertEquals(40, sandbox.shopify().available("SKU-0000"));

        sandbox.shopify().clearRecordings();
        ExtractableResponse<Response> real = pull(Map.of());
        assertEquals(200, real.statusCode());
        assertEquals(1001, real.jsonPath().getInt("processed"));
        assertEquals(100, real.jsonPath().getInt("updated"));
        assertEquals(900, real.jsonPath().getInt("unchanged"));
        assertEquals(1, real.jsonPath().getInt("skipped"));
        assertEquals(0, real.jsonPath().getInt("failed"));
        assertEquals(100, sandbox.shopify().stockWrites().size(), "exactly the 100 SKUs that differ are written");
        assertEquals(50, sandbox.shopify().available("SKU-0000"));
        assertEquals(0, sandbox.shopify().available("SKU-0010"), "a negative Contifico figure is published as 0");
        System.out.printf("full pull of 1000 SKUs: %d ms, %d Contifico calls (both runs), %d storefront requests%n",
                real.jsonPath().getLong("durationMs"), contifico.totalCount() - contificoCallsBefore,
                sandbox.shopify().requests().size());

        long runId = real.jsonPath().getLong("id");
        Map<String, Long> actions = new java.util.HashMap<>();
        for (Row r : db.rows("SELECT action, count(*) AS n FROM sync_logs WHERE pull_run_id = $1 GROUP BY action", runId)) {
            actions.put(r.getString("action"), r.getLong("n"));
        }
        // What changed or was held back is logged; the 900 unchanged SKUs only in the run's counts and the cache.
        assertEquals(Map.of("UPDATED", 100L, "SKIPPED_RECENT_PUSH", 1L), actions);
        assertEquals(1000, db.count("SELECT count(*) FROM stock_cache WHERE store_id = $1 AND last_checked_trigger = 'MANUAL'"
                + " AND last_checked_at > now() - interval '1 minute'", store.storeId()));
        assertEquals(40, sandbox.shopify().available("SKU-RECENT"));
        Row negative = db.rows("SELECT * FROM sync_logs WHERE pull_run_id = $1 AND sku = 'SKU-0010'", runId).get(0);
        assertEquals(0, new BigDecimal("-3").compareTo(negative.getBigDecimal("contifico_stock")));
        assertEquals("MANUAL", negative.getString("trigger"));
        Row cached = db.rows("SELECT * FROM stock_cache WHERE store_id = $1 AND sku = 'SKU-0000'", store.storeId()).get(0);
        assertEquals(50, cached.getInteger("store_stock"));

        ExtractableResponse<Response> limited = pull(Map.of("limit", 10));
        assertEquals(10, limited.jsonPath().getInt("processed"));

        Api.admin().get("/api/stores/" + store.storeId() + "/pulls").then().statusCode(200)
                .body("[0].status", equalTo("DONE"))
                .body("[0].processed", equalTo(10))
                .body("mode", hasItem("FULL"));
        Api.admin().get("/api/sync-logs?storeId=" + store.storeId() + "&sku=SKU-0010").then().statusCode(200)
                .body("items[0].sku", equalTo("SKU-0010"));
    }

    @Test
    void aSecondConcurrentFullPullGets409AndAPushDuringThePullCompletes() throws Exception {
        store = sandbox.shopifyStore();
        for (int i = 0; i < 12; i++) {
            sandbox.product(store, "C-" + i, 30, 30);
        }
        importCatalog();
        sandbox.contifico().setFault(ContificoSimulator.Endpoint.PRODUCT_STOCK, ContificoSimulator.Fault.latency(300, -1));
        worker.main().start();

        CompletableFuture<ExtractableResponse<Response>> first = CompletableFuture.supplyAsync(() -> pull(Map.of()));
        Sandbox.await("the first pull to start", Duration.ofSeconds(10), () -> db.count(
                "SELECT count(*) FROM pull_runs WHERE store_id = $1 AND status = 'RUNNING'", store.storeId()) == 1);
        ExtractableResponse<Response> second = pull(Map.of());
        assertEquals(409, second.statusCode());
        assertEquals("pull_in_progress", second.jsonPath().getString("error"));

        sandbox.sell(store.storeId(), "C-3", 2);
        Sandbox.await("the sale pushed during the pull", Duration.ofSeconds(15), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'", store.storeId()) == 1);
        assertEquals(200, first.get().statusCode());
        assertEquals(1, sandbox.contifico().movements().size());
    }

    @Test
    void whenTheScheduleFiresOnTwoReplicasTheStoreIsPulledOnce() {
        store = sandbox.shopifyStore();
        for (int i = 0; i < 6; i++) {
            sandbox.product(store, "S-" + i, 8, 5);
        }
        importCatalog();
        sandbox.contifico().setFault(ContificoSimulator.Endpoint.PRODUCT_STOCK, ContificoSimulator.Fault.latency(200, -1));
        // Two replicas' schedulers firing at the same moment.
        java.time.Instant period = java.time.Instant.now();
        io.smallrye.mutiny.Uni.combine().all().unis(scheduler.pullStore(store.storeId(), PullMode.FULL, period),
                        scheduler.pullStore(store.storeId(), PullMode.FULL, period))
                .discardItems().await().atMost(Duration.ofSeconds(30));
        assertEquals(1, db.count("SELECT count(*) FROM pull_runs WHERE store_id = $1 AND trigger = 'SCHEDULED'", store.storeId()));
        // A third replica that reaches the store only after the first run ended does not pull it again this period.
        scheduler.pullStore(store.storeId(), PullMode.FULL, period).await().atMost(Duration.ofSeconds(30));
        assertEquals(1, db.count("SELECT count(*) FROM pull_runs WHERE store_id = $1 AND trigger = 'SCHEDULED'", store.storeId()));
        assertEquals(8, sandbox.shopify().available("S-0"));
        assertEquals(6, db.count("SELECT count(*) FROM sync_logs WHERE store_id = $1 AND trigger = 'SCHEDULED'", store.storeId()));
    }

    @Test
    void theScheduleSkipsStoresThatOptedOutOrHaveNoIntegration() {
        store = sandbox.shopifyStore();
        Sandbox.Wired optedOut = sandbox.shopifyStore();
        Api.admin().body(Map.of("scheduledPullEnabled", false)).patch("/api/stores/" + optedOut.storeId()).then().statusCode(200);
        long bare = sandbox.shopifyStoreOnly();
        List<Long> due = scheduler.storesToPull().await().atMost(Duration.ofSeconds(10));
        assertTrue(due.contains(store.storeId()));
        assertTrue(!due.contains(optedOut.storeId()), "opted out");
        assertTrue(!due.contains(bare), "no integration");
    }

    @Test
    void contificoFailingForSomeSkusDoesNotStopTheOthers() {
        store = sandbox.shopifyStore();
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            skus.add("F-" + i);
            sandbox.product(store, "F-" + i, 9, 1);
        }
        importCatalog();
        // Two mappings now point at products Contifico no longer has.
        db.rows("UPDATE stock_cache SET contifico_product_id = 'GONEGONEGONE000' || sku WHERE store_id = $1 AND sku IN ('F-1', 'F-4') RETURNING sku",
                store.storeId());

        ExtractableResponse<Response> r = pull(Map.of());
        assertEquals(200, r.statusCode());
        assertEquals(4, r.jsonPath().getInt("updated"));
        assertEquals(2, r.jsonPath().getInt("failed"));
        assertEquals(List.of("F-1", "F-4"), r.jsonPath().getList("errors.sku"));
        assertEquals(9, sandbox.shopify().available("F-0"));
        assertEquals(1, sandbox.shopify().available("F-1"));
        assertEquals(2, db.count("SELECT count(*) FROM sync_logs WHERE store_id = $1 AND action = 'ERROR'", store.storeId()));
    }

    @Test
    void badPullRequestsAreRefused() {
        store = sandbox.shopifyStore();
        pull(Map.of("limit", 0)).response().then().statusCode(400).body("message", containsString("limit"));
        pull(Map.of("dryrun", true)).response().then().statusCode(400).body("error", equalTo("unknown_field"));
        Api.admin().body(Map.of()).post("/api/stores/999999/pull").then().statusCode(404);
        Api.admin().get("/api/sync-logs?size=1000").then().statusCode(400);
    }
}
