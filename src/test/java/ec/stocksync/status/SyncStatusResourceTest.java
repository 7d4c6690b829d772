package ec.stocksync.status;

import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.FaultType;
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

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class SyncStatusResourceTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    Sandbox.Wired store;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
    }

    @AfterEach
    void tearDown() {
        worker.main().stop();
        sandbox.contifico().clearFaults();
    }

    JsonPath status(String query) {
        return Api.admin().get("/api/sync-status?storeId=" + store.storeId() + query).then().statusCode(200)
                .extract().jsonPath();
    }

    Map<String, Object> row(String sku) {
        List<Map<String, Object>> items = status("&q=" + sku).getList("items");
        return items.stream().filter(r -> sku.equals(r.get("sku"))).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + sku + " in " + items));
    }

    void pull(String... skus) {
        Api.admin().body(Map.of("skus", List.of(skus), "skipRecentPushCheck", true))
                .post("/api/stores/" + store.storeId() + "/pull/selective").then().statusCode(200);
    }

    /** A cached SKU with a pull log of the given trigger, written the way a pull writes them. */
    void seed(String sku, String name, Integer storeStock, String contificoStock, String trigger, String action,
              String createdAt) {
        db.rows("""
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock, contifico_stock_at)
                VALUES ($1, $2, $3, $4, $5::text::numeric, now())""", store.storeId(), sku, name, storeStock, contificoStock);
        db.rows("""
                INSERT INTO sync_logs (store_id, sku, trigger, action, contifico_stock, store_stock_after, created_at)
                VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7::text::timestamptz)""",
                store.storeId(), sku, trigger, action, contificoStock, storeStock, createdAt);
    }

    @Test
    void aPulledSkuWithEqualFiguresIsSyncedWithItsManualBadgeAndTime() {
        sandbox.product(store, "PT-0002-50ml", 101, 90);
        pull("PT-0002-50ml");

        Map<String, Object> r = row("PT-0002-50ml");
        assertEquals("SYNCED", r.get("status"));
        assertEquals(101, r.get("storeStock"));
        assertEquals(101, ((Number) r.get("contificoStock")).intValue());
        assertEquals("MANUAL", r.get("trigger"));
        assertTrue(((String) r.get("name")).startsWith("Producto PT-0002-50ml"), String.valueOf(r.get("name")));
        assertEquals(0, r.get("pendingMovements"));
        assertNotNull(r.get("lastUpdatedAt"));
        assertNull(r.get("lastError"));
    }

    @Test
    void differentFiguresAreAMismatchAndANegativeOrFractionalContificoFigureIsSyncedAtWhatTheStoreCanShow() {
        seed("DRIFT-1", "Drift", 7, "9", "SCHEDULED", "UNCHANGED", "2026-01-01T10:00:00Z");
        seed("NEG-1", "Negative", 0, "-5", "SCHEDULED", "UPDATED", "2026-01-01T10:00:00Z");
        seed("FRAC-1", "Fraction", 10, "10.5", "SCHEDULED", "UPDATED", "2026-01-01T10:00:00Z");

        assertEquals("MISMATCH", row("DRIFT-1").get("status"));
        assertEquals("SCHEDULED", row("DRIFT-1").get("trigger"));
        assertEquals("SYNCED", row("NEG-1").get("status"));
        assertEquals(-5, ((Number) row("NEG-1").get("contificoStock")).intValue());
        assertEquals("SYNCED", row("FRAC-1").get("status"));
        assertEquals(10.5f, ((Number) row("FRAC-1").get("contificoStock")).floatValue());
    }

    @Test
    void aSaleWaitingInTheQueueIsPendingEvenForASkuNeverSeenBefore() {
        sandbox.sell(store.storeId(), "NEW-SKU-1", 2);

        Map<String, Object> r = row("NEW-SKU-1");
        assertEquals("PENDING", r.get("status"));
        assertEquals(1, r.get("pendingMovements"));
        assertNull(r.get("storeStock"));
        JsonPath page = status("");
        assertEquals(1, page.getInt("summary.queueDepth"));
        assertNotNull(page.getString("summary.oldestPendingAt"));
        assertTrue(page.getLong("summary.oldestPendingAgeSeconds") >= 0);
        assertEquals(1, page.getInt("summary.counts.PENDING"));
    }

    @Test
    void aQueuedSaleMakesAnInSyncSkuPendingUntilItIsPushed() {
        seed("Q-1", "Queued", 5, "5", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        assertEquals("SYNCED", row("Q-1").get("status"));
        sandbox.sell(store.storeId(), "Q-1", 1);
        assertEquals("PENDING", row("Q-1").get("status"));
    }

    @Test
    void aCachedSkuThatWasNeverPulledIsPending() {
        db.rows("INSERT INTO stock_cache (store_id, sku, store_stock, last_pushed_at) VALUES ($1, 'PUSHED-ONLY', 3, now())",
                store.storeId());
        Map<String, Object> r = row("PUSHED-ONLY");
        assertEquals("PENDING", r.get("status"));
        assertNull(r.get("lastUpdatedAt"));
        assertNull(r.get("trigger"));
    }

    @Test
    void aFailedLastPullIsAnErrorWithItsReasonAndAGoodPullClearsIt() {
        sandbox.product(store, "CAM-001-M", 25, 25);
        pull("CAM-001-M");
        assertEquals("SYNCED", row("CAM-001-M").get("status"));

        sandbox.contifico().setFault(Endpoint.PRODUCT_STOCK, Fault.always(FaultType.ERROR_500));
        pull("CAM-001-M");
        Map<String, Object> r = row("CAM-001-M");
        assertEquals("ERROR", r.get("status"));
        assertNotNull(r.get("lastError"));

        sandbox.contifico().clearFaults();
        // The breaker of this integration may still be open for a moment after the failures.
        Sandbox.await("a good pull", Duration.ofSeconds(10), () -> {
            pull("CAM-001-M");
            return "SYNCED".equals(row("CAM-001-M").get("status"));
        });
        assertNull(row("CAM-001-M").get("lastError"));
    }

    long deadMovementId() {
        return db.rows("SELECT id FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DEAD'",
                store.storeId()).get(0).getLong("id");
    }

    @Test
    void aDeadSaleKeepsItsSkuInErrorWithItsReservedUnitsEvenAfterALaterSaleGoesThroughUntilItIsDismissed() {
        sandbox.product(store, "PT-0001-30ml", 40, 40);
        pull("PT-0001-30ml");
        sandbox.contifico().setFault(Endpoint.MOVEMENT_CREATE, Fault.always(FaultType.ERROR_500));
        worker.main().start();
        sandbox.sell(store.storeId(), "PT-0001-30ml", 3);
        Sandbox.await("a dead movement", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DEAD'",
                store.storeId()) == 1);
        String deadError = db.rows("SELECT last_error FROM inventory_movements_queue WHERE id = $1", deadMovementId())
                .get(0).getString("last_error");

        Map<String, Object> r = row("PT-0001-30ml");
        assertEquals("ERROR", r.get("status"));
        assertEquals(deadError, r.get("lastError"));
        assertEquals(0, r.get("pendingMovements"));
        assertEquals(1, r.get("deadMovements"));
        assertEquals(3, r.get("reservedUnits"));
        assertEquals(1, status("").getInt("summary.deadMovements"));

        sandbox.contifico().clearFaults();
        sandbox.sell(store.storeId(), "PT-0001-30ml", 1);
        Sandbox.await("the second sale pushed", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'",
                store.storeId()) == 1);
        Sandbox.await("the SALE badge", Duration.ofSeconds(10), () -> "SALE".equals(row("PT-0001-30ml").get("trigger")));
        // The later sale went through, but the dead one was never booked: its units are still held back.
        Map<String, Object> after = row("PT-0001-30ml");
        assertEquals("ERROR", after.get("status"));
        assertEquals(deadError, after.get("lastError"));
        assertEquals(1, after.get("deadMovements"));
        assertEquals(3, after.get("reservedUnits"));
        String url = "/api/sync-status?storeId=" + store.storeId();
        String etag = Api.admin().get(url).then().statusCode(200).extract().header("ETag");

        Api.admin().body(Map.of("reason", "Registrada a mano en Contifico"))
                .post("/api/movements/" + deadMovementId() + "/dismiss").then().statusCode(200);
        Map<String, Object> dismissed = row("PT-0001-30ml");
        assertNotEquals("ERROR", dismissed.get("status"));
        assertNull(dismissed.get("lastError"));
        assertEquals(0, dismissed.get("deadMovements"));
        assertEquals(0, dismissed.get("reservedUnits"));
        JsonPath page = status("");
        assertEquals(0, page.getInt("summary.deadMovements"));
        assertEquals(0, page.getInt("summary.counts.ERROR"));
        // The dashboard polls with the old tag: the dismissal must reach it.
        Api.admin().header("If-None-Match", etag).get(url).then().statusCode(200);
    }

    @Test
    void reservedUnitsAreTheUndismissedNeverPushedDeadSalesMinusRestocksAndOutrankQueuedSales() {
        seed("RES-1", "Reservas", 10, "10", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error,
                                                       contifico_movement_id)
                VALUES ($1, 'RES-1', 'SALE', 5, 'r1', 'DEAD', 'Rejected: 400', NULL),
                       ($1, 'RES-1', 'RESTOCK', 2, 'r2', 'DEAD', 'Rejected: 400', NULL),
                       ($1, 'RES-1', 'SALE', 4, 'r3', 'DEAD', 'pull failed after the push', 'MOV-9'),
                       ($1, 'RES-1', 'SALE', 7, 'r4', 'DEAD', 'dismissed one', NULL),
                       ($1, 'RES-1', 'SALE', 1, 'r5', 'PENDING', NULL, NULL)
                RETURNING id""", store.storeId());
        long dismissedId = db.rows("SELECT id FROM inventory_movements_queue WHERE store_id = $1 AND business_key = 'r4'",
                store.storeId()).get(0).getLong("id");
        Api.admin().body(Map.of("reason", "Pedido anulado en la tienda"))
                .post("/api/movements/" + dismissedId + "/dismiss").then().statusCode(200);

        Map<String, Object> r = row("RES-1");
        assertEquals("ERROR", r.get("status"));
        assertEquals(1, r.get("pendingMovements"));
        assertEquals(3, r.get("deadMovements"));
        // 5 sold minus 2 restocked; the pushed sale (it is in Contifico's figure) and the dismissed one hold nothing.
        assertEquals(3, r.get("reservedUnits"));
        assertEquals("pull failed after the push", r.get("lastError"));
        assertEquals(3, status("").getInt("summary.deadMovements"));
        assertEquals(List.of("RES-1"), status("&status=ERROR").getList("items.sku"));
    }

    @Test
    void aSaleAfterASyncShowsTheSaleBadgeWithContificosNewFigure() {
        sandbox.product(store, "PT-0002-50ml", 101, 101);
        pull("PT-0002-50ml");
        worker.main().start();
        // Shopify takes the units off its own stock when it creates the order.
        sandbox.shopify().setAvailable("PT-0002-50ml", 99);
        sandbox.sell(store.storeId(), "PT-0002-50ml", 2);
        Sandbox.await("the SALE badge", Duration.ofSeconds(15), () -> "SALE".equals(row("PT-0002-50ml").get("trigger")));

        Map<String, Object> r = row("PT-0002-50ml");
        assertEquals("SYNCED", r.get("status"));
        assertEquals(99, ((Number) r.get("contificoStock")).intValue());
        assertEquals(99, r.get("storeStock"));
    }

    @Test
    void pagesSplitTheStoreWithoutOverlapAndCountTheFilteredTotal() {
        for (int i = 1; i <= 5; i++) {
            seed("PAGE-" + i, "Página " + i, i, String.valueOf(i), "MANUAL", "UNCHANGED", "2026-01-0" + i + "T10:00:00Z");
        }
        JsonPath p0 = status("&size=2&page=0");
        JsonPath p2 = status("&size=2&page=2");
        assertEquals(List.of("PAGE-1", "PAGE-2"), p0.getList("items.sku"));
        assertEquals(List.of("PAGE-5"), p2.getList("items.sku"));
        assertEquals(5, p0.getInt("total"));
        assertEquals(2, p0.getInt("size"));
        assertEquals(2, p2.getInt("page"));
        JsonPath beyond = status("&size=2&page=9");
        assertEquals(List.of(), beyond.getList("items"));
        assertEquals(5, beyond.getInt("total"));
        assertEquals(5, beyond.getInt("summary.skus"));
    }

    @Test
    void filtersByStatusAndBySkuOrNameCaseInsensitivelyWhileTheSummaryCountsTheWholeStore() {
        seed("FIL-A", "Camisa roja", 1, "1", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        seed("FIL-B", "Camisa azul", 1, "2", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        seed("OTHER_1", "Perfume", 3, "3", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");

        JsonPath mismatch = status("&status=mismatch");
        assertEquals(List.of("FIL-B"), mismatch.getList("items.sku"));
        assertEquals(1, mismatch.getInt("total"));
        assertEquals(2, mismatch.getInt("summary.counts.SYNCED"));
        assertEquals(1, mismatch.getInt("summary.counts.MISMATCH"));
        assertEquals(3, mismatch.getInt("summary.skus"));

        assertEquals(List.of("FIL-A", "FIL-B"), status("&q=fil-").getList("items.sku"));
        assertEquals(List.of("FIL-B"), status("&q=AZUL").getList("items.sku"));
        // "_" is a literal, not a LIKE wildcard.
        assertEquals(List.of("OTHER_1"), status("&q=R_1").getList("items.sku"));
        assertEquals(List.of(), status("&q=%25").getList("items"));
        assertEquals(List.of("FIL-A"), status("&q=fil&status=SYNCED").getList("items.sku"));
    }

    @Test
    void sortsByAnyColumnEitherWayWithSkuBreakingTies() {
        seed("S-1", "C", 30, "30", "MANUAL", "UNCHANGED", "2026-01-03T10:00:00Z");
        seed("S-2", "A", 10, "10", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        seed("S-3", "B", 10, "12", "MANUAL", "UNCHANGED", "2026-01-02T10:00:00Z");

        assertEquals(List.of("S-2", "S-3", "S-1"), status("&sort=storeStock").getList("items.sku"));
        assertEquals(List.of("S-1", "S-2", "S-3"), status("&sort=-storeStock").getList("items.sku"));
        assertEquals(List.of("S-1", "S-3", "S-2"), status("&sort=lastUpdatedAt,desc").getList("items.sku"));
        assertEquals(List.of("S-2", "S-3", "S-1"), status("&sort=name,asc").getList("items.sku"));
        assertEquals(List.of("S-3", "S-1", "S-2"), status("&sort=status").getList("items.sku"));
        assertEquals("lastUpdatedAt,desc", status("&sort=-lastUpdatedAt").getString("sort"));
        Api.admin().get("/api/sync-status?storeId=" + store.storeId() + "&sort=price").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("sort"));
    }

    @Test
    void aSearchWithANulCharacterIsABadRequestNotADatabaseFailure() {
        seed("NUL-1", "Uno", 1, "1", "MANUAL", "UNCHANGED", "2026-01-01T00:00:00Z");
        // Asked twice, so the second answer could come from memory: both paths refuse it alike.
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).urlEncodingEnabled(false)
                    .get("/api/sync-status?storeId=" + store.storeId() + "&q=NUL%00x").then().statusCode(400)
                    .body("error", equalTo("invalid_field")).body("message", containsString("q"));
        }
    }

    @Test
    void aPollWithTheCurrentEtagGets304AndAChangeGivesANewTag() {
        seed("ETAG-1", "Etag", 4, "4", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        String url = "/api/sync-status?storeId=" + store.storeId();
        String etag = Api.admin().get(url).then().statusCode(200).extract().header("ETag");
        assertNotNull(etag);

        Api.admin().header("If-None-Match", etag).get(url).then().statusCode(304).header("ETag", etag);
        Api.admin().header("If-None-Match", "W/" + etag).get(url).then().statusCode(304);
        Api.admin().header("If-None-Match", "\"other\", " + etag).get(url).then().statusCode(304);
        // Another query is another representation.
        Api.admin().header("If-None-Match", etag).get(url + "&size=10").then().statusCode(200);

        db.rows("UPDATE stock_cache SET store_stock = 3 WHERE store_id = $1 AND sku = 'ETAG-1'", store.storeId());
        String changed = Api.admin().header("If-None-Match", etag).get(url).then().statusCode(200)
                .body("items[0].status", equalTo("MISMATCH")).extract().header("ETag");
        assertNotEquals(etag, changed);
    }

    String tag(String url) {
        return Api.admin().get(url).then().statusCode(200).extract().header("ETag");
    }

    void assertTagMoved(String change, String url, String oldTag) {
        int code = Api.admin().header("If-None-Match", oldTag).get(url).then().extract().statusCode();
        assertEquals(200, code, change + ": the page may have changed, so the old tag must not get 304");
    }

    void assertTagHeld(String change, String url, String tag) {
        int code = Api.admin().header("If-None-Match", tag).get(url).then().extract().statusCode();
        assertEquals(304, code, change + " changes nothing on the page: the tag should hold");
    }

    @Test
    void theOldTagStopsAnswering304AfterASaleItsPushAPullARetryADismissalAndAStoreRename() {
        sandbox.product(store, "TAG-1", 10, 10);
        String url = "/api/sync-status?storeId=" + store.storeId();
        pull("TAG-1");
        String t = tag(url);
        assertTagHeld("nothing", url, t);

        sandbox.sell(store.storeId(), "TAG-1", 1);
        assertTagMoved("a sale booked by a webhook", url, t);

        t = tag(url);
        worker.main().start();
        Sandbox.await("the sale pushed", Duration.ofSeconds(10), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'", store.storeId()) == 1);
        Sandbox.await("its post-push pull", Duration.ofSeconds(10), () -> "SALE".equals(row("TAG-1").get("trigger")));
        worker.main().stop();
        assertTagMoved("a push and its post-push pull", url, t);

        t = tag(url);
        pull("TAG-1");
        assertTagMoved("a selective pull", url, t);

        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error)
                VALUES ($1, 'TAG-1', 'SALE', 2, 'tag-dead-1', 'DEAD', 'HTTP 422'),
                       ($1, 'TAG-1', 'SALE', 1, 'tag-dead-2', 'DEAD', 'HTTP 422')""", store.storeId());
        List<Long> dead = db.rows("SELECT id FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DEAD'"
                + " ORDER BY id", store.storeId()).stream().map(r -> r.getLong("id")).toList();
        t = tag(url);
        Api.admin().post("/api/movements/" + dead.get(0) + "/retry").then().statusCode(200);
        assertTagMoved("a DEAD movement retried", url, t);

        t = tag(url);
        Api.admin().body(Map.of("reason", "Registrada a mano")).post("/api/movements/" + dead.get(1) + "/dismiss")
                .then().statusCode(200);
        assertTagMoved("a DEAD movement dismissed", url, t);

        t = tag(url);
        Api.admin().body(Map.of("name", "Tienda renombrada")).patch("/api/stores/" + store.storeId()).then().statusCode(200);
        assertTagMoved("a store renamed", url, t);
    }

    @Test
    void theTagHoldsThroughOtherStoresChangesAndWorkBookkeepingThePageDoesNotShow() {
        seed("HOLD-1", "Hold", 4, "4", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        sandbox.sell(store.storeId(), "HOLD-1", 1);
        String url = "/api/sync-status?storeId=" + store.storeId();
        String t = tag(url);

        long other = Api.createShopifyStore();
        db.rows("INSERT INTO stock_cache (store_id, sku, name, store_stock) VALUES ($1, 'HOLD-1', 'Otra', 9)", other);
        assertTagHeld("another store's new SKU", url, t);

        db.rows("UPDATE inventory_movements_queue SET lease_expires_at = now() + interval '1 minute',"
                + " next_attempt_at = now() WHERE store_id = $1", store.storeId());
        db.rows("UPDATE stock_cache SET pull_retry_at = now() WHERE store_id = $1", store.storeId());
        assertTagHeld("lease and retry bookkeeping", url, t);

        db.rows("UPDATE stock_cache SET name = 'Hold renamed' WHERE store_id = $1", store.storeId());
        assertTagMoved("a SKU's name", url, t);
    }

    @Test
    void theTagIsPerQueryAndPerCaller() {
        seed("SCOPE-1", "Scope", 4, "4", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
        String url = "/api/sync-status?storeId=" + store.storeId();
        String t = tag(url);
        for (String other : List.of("&status=SYNCED", "&q=scope", "&page=1", "&size=10", "&sort=-sku", "&sort=name")) {
            assertTagMoved("another query (" + other + ")", url + other, t);
        }

        String token = Api.admin().body(Map.of("name", "tablero", "storeId", store.storeId(), "access", "read-only"))
                .post("/api/tokens").then().statusCode(201).extract().jsonPath().getString("token");
        int code = given().header("Authorization", "Bearer " + token).header("If-None-Match", t).get(url)
                .then().extract().statusCode();
        assertEquals(200, code, "a tag another caller was given is not this caller's");
        String own = given().header("Authorization", "Bearer " + token).get(url).then().statusCode(200)
                .extract().header("ETag");
        given().header("Authorization", "Bearer " + token).header("If-None-Match", own).get(url).then().statusCode(304);
    }

    @Test
    void aConditionalPollForAnotherStoreOrAMissingOneIsStillRefused() {
        String url = "/api/sync-status?storeId=" + store.storeId();
        String t = tag(url);
        Api.admin().header("If-None-Match", "*").get(url).then().statusCode(304);
        Api.admin().header("If-None-Match", "*").get("/api/sync-status?storeId=999999").then().statusCode(404);
        long other = Api.createShopifyStore();
        String token = Api.admin().body(Map.of("name", "ajena", "storeId", other, "access", "read-only"))
                .post("/api/tokens").then().statusCode(201).extract().jsonPath().getString("token");
        given().header("Authorization", "Bearer " + token).header("If-None-Match", t).get(url).then().statusCode(404);
    }

    @Test
    void theTagStaysWhileASaleWaitsAlthoughItsAgeGrows() throws InterruptedException {
        sandbox.sell(store.storeId(), "WAIT-1", 1);
        String url = "/api/sync-status?storeId=" + store.storeId();
        String etag = Api.admin().get(url).then().statusCode(200).extract().header("ETag");
        Thread.sleep(1100);
        Api.admin().header("If-None-Match", etag).get(url).then().statusCode(304);
    }

    @Test
    void theAdminTokenIsRequired() {
        given().get("/api/sync-status?storeId=" + store.storeId()).then().statusCode(401)
                .body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer wrong").get("/api/sync-status?storeId=" + store.storeId())
                .then().statusCode(401);
    }

    @Test
    void badParametersAreRefusedNamingTheField() {
        String base = "/api/sync-status?storeId=" + store.storeId();
        Api.admin().get(base + "&status=BROKEN").then().statusCode(400).body("message", containsString("status"));
        Api.admin().get(base + "&size=0").then().statusCode(400).body("message", containsString("size"));
        Api.admin().get(base + "&size=201").then().statusCode(400).body("message", containsString("size"));
        Api.admin().get(base + "&page=-1").then().statusCode(400).body("message", containsString("page"));
        Api.admin().get(base + "&page=two").then().statusCode(400).body("message", containsString("page"));
        Api.admin().get("/api/sync-status?storeId=abc").then().statusCode(400).body("message", containsString("storeId"));
        Api.admin().get("/api/sync-status?storeId=999999999").then().statusCode(404)
                .body("error", equalTo("store_not_found"));
    }

    @Test
    void withoutStoreIdTheOnlyActiveStoreIsUsedAndOtherwiseTheFieldIsNamed() {
        Api.createShopifyStore();
        Api.admin().get("/api/sync-status").then().statusCode(400).body("error", equalTo("invalid_field"))
                .body("message", containsString("storeId"));

        Long[] others = db.rows("UPDATE stores SET active = FALSE WHERE id <> $1 AND active RETURNING id",
                store.storeId()).stream().map(r -> r.getLong("id")).toArray(Long[]::new);
        try {
            seed("ONLY-1", "Only", 1, "1", "MANUAL", "UNCHANGED", "2026-01-01T10:00:00Z");
            Api.admin().get("/api/sync-status").then().statusCode(200)
                    .body("storeId", equalTo((int) store.storeId())).body("items[0].sku", equalTo("ONLY-1"));
        } finally {
            // Other test classes' stores stay as they were.
            db.rows("UPDATE stores SET active = TRUE WHERE id = ANY($1) RETURNING id", (Object) others);
        }
    }

    @Test
    void aDryRunLeavesTheStatusTableExactlyAsItWas() {
        String same = sandbox.product(store, "DRY-SAME", 7, 7);
        sandbox.product(store, "DRY-DIFF", 9, 4);
        sandbox.product(store, "DRY-ZERO", 0, 3);
        pull("DRY-SAME", "DRY-DIFF", "DRY-ZERO");
        // Contifico moves on; the preview must say what would change and touch nothing.
        sandbox.contifico().setStock(same, store.warehouseId(), java.math.BigDecimal.valueOf(5));
        List<Map<String, Object>> before = status("").getList("items");
        Api.admin().body(Map.of("dryRun", true)).post("/api/stores/" + store.storeId() + "/pull?wait=true")
                .then().statusCode(200).body("status", equalTo("DONE")).body("dryRun", equalTo(true));
        Api.admin().body(Map.of("skus", List.of("DRY-SAME", "DRY-DIFF"), "dryRun", true, "skipRecentPushCheck", true))
                .post("/api/stores/" + store.storeId() + "/pull/selective").then().statusCode(200);
        assertEquals(before, status("").getList("items"));
        assertEquals(7, sandbox.shopify().available("DRY-SAME"));
    }
}
