package ec.stocksync.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The first page after a change comes from the kept snapshot patched with the changed SKUs only (V25's change feed),
 * and is exactly the page the query gives at that version; what cannot be patched falls back to a full read, still
 * exact. The reference is {@link SyncStatusQuery#page}, run after the HTTP answer with nothing changing in between.
 */
@QuarkusTest
class StatusSnapshotPatchTest {

    /** The sorts and filters compared after each change: each order the kept snapshot had is carried to the patch. */
    private static final List<String> QUERIES = List.of("", "&sort=-storeStock", "&sort=status", "&sort=lastUpdatedAt,desc",
            "&sort=name", "&sort=pendingMovements,desc", "&sort=contificoStock", "&status=PENDING", "&q=pat-", "&size=2&page=1");

    @Inject
    ObjectMapper json;
    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    SyncStatusQuery query;
    @Inject
    StatusSnapshots snapshots;
    @Inject
    StatusChanges changes;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    Sandbox.Wired store;
    String url;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
        url = "/api/sync-status?storeId=" + store.storeId();
        for (int i = 1; i <= 6; i++) {
            seed("PAT-" + i, "Nombre " + (7 - i), i, String.valueOf(i % 3 == 0 ? i + 1 : i));
        }
    }

    void seed(String sku, String name, int storeStock, String contificoStock) {
        db.rows("""
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock, contifico_stock_at,
                                         last_checked_at, last_checked_trigger)
                VALUES ($1, $2, $3, $4, $5::text::numeric, now(), now(), 'MANUAL')""",
                store.storeId(), sku, name, storeStock, contificoStock);
    }

    long version() {
        return query.version(store.storeId()).await().atMost(Duration.ofSeconds(10));
    }

    /** Asks until the store's snapshot is kept at the current version, then once for every compared query. */
    void keepSnapshot() {
        Sandbox.await("a snapshot at the current version", Duration.ofSeconds(20), () -> {
            Api.admin().get(url).then().statusCode(200);
            Api.admin().get(url).then().statusCode(200);
            StatusSnapshot kept = snapshots.kept(store.storeId());
            return kept != null && kept.version() == version();
        });
        // The kept snapshot computes (and keeps) each sorted order, which a patch then carries over.
        QUERIES.forEach(q -> Api.admin().get(url + q).then().statusCode(200));
    }

    /** The page over HTTP, for each compared query, equals the query's page; the answers' tag is the current one. */
    void assertEveryPageEqualsTheQuery(String after) {
        long version = version();
        for (String q : QUERIES) {
            Response r = Api.admin().get(url + q).then().statusCode(200).extract().response();
            JsonNode http = tree(r.asString());
            JsonNode sql = tree(query.page(request(q)).await().atMost(Duration.ofSeconds(10)).page());
            assertEquals(sql.get("items"), http.get("items"), after + ", items of " + q);
            assertEquals(sql.get("total"), http.get("total"), after + ", total of " + q);
            ((ObjectNode) sql.get("summary")).remove("oldestPendingAgeSeconds");
            ((ObjectNode) http.get("summary")).remove("oldestPendingAgeSeconds");
            assertEquals(sql.get("summary"), http.get("summary"), after + ", summary of " + q);
            Api.admin().header("If-None-Match", r.header("ETag")).get(url + q).then().statusCode(304);
        }
        assertEquals(version, version(), "nothing changed during the comparison");
    }

    SyncStatusQuery.Request request(String q) {
        Map<String, String> p = new java.util.HashMap<>();
        for (String kv : q.split("&")) {
            if (!kv.isEmpty()) {
                p.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        String[] sort = SyncStatusResource.parseSort(p.get("sort"));
        return new SyncStatusQuery.Request(store.storeId(), SyncStatusResource.parseStatus(p.get("status")), p.get("q"),
                Integer.parseInt(p.getOrDefault("page", "0")), Integer.parseInt(p.getOrDefault("size", "50")), sort[0],
                sort[1] != null);
    }

    JsonNode tree(Object value) {
        try {
            // Through text both ways (with the mapper the endpoint uses), so numbers compare by what the JSON says.
            String text = value instanceof String s ? s : json.writeValueAsString(value);
            return json.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code change}; the pages after it must equal the query's, and come from a patch, not a full read. */
    void assertPatched(String what, Runnable change) {
        long patches = snapshots.patches();
        long fullReads = snapshots.fullReads();
        String before = Api.admin().get(url).then().statusCode(200).extract().header("ETag");
        change.run();
        String after = Api.admin().get(url).then().statusCode(200).extract().header("ETag");
        assertNotEquals(before, after, what + " moves the tag");
        assertEveryPageEqualsTheQuery(what);
        assertEquals(patches + 1, snapshots.patches(), what + ": one patch");
        assertEquals(fullReads, snapshots.fullReads(), what + ": no full read");
        assertEquals(version(), snapshots.kept(store.storeId()).version(), what + ": the patched snapshot is kept");
    }

    /** Runs {@code change}; it cannot be patched in, so the store is read again, and every page is still exact. */
    void assertReadAgain(String what, Runnable change) {
        keepSnapshot();
        long patches = snapshots.patches();
        long fullReads = snapshots.fullReads();
        change.run();
        assertEveryPageEqualsTheQuery(what);
        assertEquals(patches, snapshots.patches(), what + ": no patch");
        assertEquals(fullReads + 1, snapshots.fullReads(), what + ": one full read");
        Sandbox.await(what + ": the snapshot read again", Duration.ofSeconds(20), () -> {
            StatusSnapshot kept = snapshots.kept(store.storeId());
            return kept != null && kept.version() == version();
        });
        assertEveryPageEqualsTheQuery(what + ", from the snapshot read again");
    }

    @Test
    void aSaleAPullAndADismissalArePatchedIntoTheKeptSnapshotAndEveryPageEqualsTheQuery() {
        String product = sandbox.product(store, "PAT-PULLED", 10, 10);
        Api.admin().body(Map.of("skus", List.of("PAT-PULLED"), "skipRecentPushCheck", true))
                .post("/api/stores/" + store.storeId() + "/pull/selective").then().statusCode(200);
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error)
                VALUES ($1, 'PAT-2', 'SALE', 2, 'pat-dead-' || $1, 'DEAD', 'HTTP 422')""", store.storeId());
        long dead = db.rows("SELECT id FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DEAD'",
                store.storeId()).get(0).getLong("id");
        keepSnapshot();

        assertPatched("a sale", () -> sandbox.sell(store.storeId(), "PAT-4", 3).statusCode(200));
        assertPatched("a second sale of another SKU", () -> sandbox.sell(store.storeId(), "PAT-1", 1).statusCode(200));
        assertPatched("a pull", () -> {
            sandbox.contifico().setStock(product, store.warehouseId(), BigDecimal.valueOf(4));
            Api.admin().body(Map.of("skus", List.of("PAT-PULLED"), "skipRecentPushCheck", true))
                    .post("/api/stores/" + store.storeId() + "/pull/selective").then().statusCode(200);
        });
        assertPatched("a dismissal", () -> Api.admin().body(Map.of("reason", "Registrada a mano"))
                .post("/api/movements/" + dead + "/dismiss").then().statusCode(200));
        assertPatched("figures written straight into the cache", () -> db.rows(
                "UPDATE stock_cache SET store_stock = store_stock + 5 WHERE store_id = $1 AND sku IN ('PAT-3', 'PAT-6')",
                store.storeId()));
    }

    /**
     * The race the patch rests on: a transaction that changed a SKU was still open when the snapshot was read, and a
     * transaction with a higher id had already committed. Its change is not in the snapshot and commits after it; the
     * next page must show it. "Changes with an id above the highest the snapshot saw" (or "since the snapshot's
     * time": the open transaction stamped its change earlier) would skip it.
     */
    @Test
    void aChangeOpenWhileTheSnapshotWasReadAndCommittedAfterItIsOnTheNextPage() throws Exception {
        try (Connection open = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            open.setAutoCommit(false);
            // Its transaction id is taken now: lower than the next writer's, which commits first.
            open.createStatement().execute("SELECT pg_current_xact_id()");
            db.rows("UPDATE stock_cache SET store_stock = 40 WHERE store_id = $1 AND sku = 'PAT-2'", store.storeId());
            try (PreparedStatement st = open.prepareStatement(
                    "UPDATE stock_cache SET store_stock = 30 WHERE store_id = ? AND sku = 'PAT-1'")) {
                st.setLong(1, store.storeId());
                assertEquals(1, st.executeUpdate());
            }
            keepSnapshot();
            assertEquals(1, snapshots.kept(store.storeId()).page(request("&q=PAT-1"), java.time.OffsetDateTime.now())
                    .items().get(0).storeStock(), "the snapshot was read while the change was not committed");
            long patches = snapshots.patches();
            open.commit();
            assertEveryPageEqualsTheQuery("a change committed after the snapshot was read");
            assertEquals(30, tree(Api.admin().get(url + "&q=PAT-1").then().statusCode(200).extract().asString())
                    .get("items").get(0).get("storeStock").asInt());
            assertEquals(patches + 1, snapshots.patches(), "answered by a patch");
        }
    }

    @Test
    void aChangeToTheWholeStoreANewGoneOrRenamedSkuAndAPrunedFeedAreReadAgainInFull() {
        assertReadAgain("a new SKU", () -> seed("PAT-0", "Nuevo", 3, "3"));
        assertReadAgain("a sale of a SKU never seen", () -> sandbox.sell(store.storeId(), "PAT-NEW", 1).statusCode(200));
        assertReadAgain("a SKU gone", () -> db.rows("DELETE FROM stock_cache WHERE store_id = $1 AND sku = 'PAT-5'",
                store.storeId()));
        assertReadAgain("a SKU renamed", () -> db.rows(
                "UPDATE stock_cache SET name = 'Aaa primero' WHERE store_id = $1 AND sku = 'PAT-6'", store.storeId()));
        assertReadAgain("a change whose feed row was pruned", () -> {
            db.rows("UPDATE stock_cache SET store_stock = 99 WHERE store_id = $1 AND sku = 'PAT-3'", store.storeId());
            changes.purgeBatch(Duration.ZERO, 1_000_000).await().atMost(Duration.ofSeconds(10));
        });
        // After all that, a plain change is patched again.
        assertPatched("a change after the fallbacks", () -> db.rows(
                "UPDATE stock_cache SET store_stock = 0 WHERE store_id = $1 AND sku = 'PAT-4'", store.storeId()));
    }

    /**
     * After a restart, a failover to an asynchronous standby or a restore, new transactions may take ids the kept
     * snapshot counts as seen, and their changes would be skipped. Such a server has another start time
     * ({@code pg_postmaster_start_time()}); the kept snapshot is made to look read by an earlier one, and its patch
     * must be refused.
     */
    @Test
    void aSnapshotReadByAnEarlierLifeOfTheServerIsNotPatched() {
        keepSnapshot();
        StatusSnapshot kept = snapshots.kept(store.storeId());
        snapshots.replaceKept(kept.withDbStarted(kept.dbStarted().minusHours(1)));
        long patches = snapshots.patches();
        long fullReads = snapshots.fullReads();
        db.rows("UPDATE stock_cache SET store_stock = 77 WHERE store_id = $1 AND sku = 'PAT-3'", store.storeId());
        assertEveryPageEqualsTheQuery("a change after a restart");
        assertEquals(patches, snapshots.patches(), "no patch");
        assertEquals(fullReads + 1, snapshots.fullReads(), "one full read");
        Sandbox.await("the snapshot read again", Duration.ofSeconds(20), () -> {
            StatusSnapshot again = snapshots.kept(store.storeId());
            return again != null && again.version() == version() && again.dbStarted().isEqual(kept.dbStarted());
        });
    }

    /**
     * The rows read no column of stores, so an update of a store's row (a rename, a deactivation) moves the version
     * and is patched with no SKU changed; the page stays exact, and a store that is gone is still a 404.
     */
    @Test
    void aStoreRenamedOrDeactivatedIsPatchedWithNothingToReadAndAStoreGoneIsNotFound() {
        keepSnapshot();
        assertPatched("a store renamed", () -> Api.admin().body(Map.of("name", "Tienda renombrada"))
                .patch("/api/stores/" + store.storeId()).then().statusCode(200));
        assertPatched("a store deactivated", () -> Api.admin().delete("/api/stores/" + store.storeId())
                .then().statusCode(200));
        // A store without integrations (their rows would hold it), with a kept snapshot, then deleted.
        long gone = Api.createShopifyStore();
        String goneUrl = "/api/sync-status?storeId=" + gone;
        Sandbox.await("a snapshot of the other store", Duration.ofSeconds(20), () -> {
            Api.admin().get(goneUrl).then().statusCode(200);
            Api.admin().get(goneUrl).then().statusCode(200);
            return snapshots.kept(gone) != null;
        });
        db.rows("DELETE FROM stores WHERE id = $1", gone);
        Api.admin().get(goneUrl).then().statusCode(404);
    }

    @Test
    void manyChangedSkusAreReadInFull() {
        db.rows("""
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock, last_checked_at,
                                         last_checked_trigger)
                SELECT $1, 'PAT-MANY-' || g, 'Muchos', g, g, now(), 'MANUAL' FROM generate_series(0, $2) g""",
                store.storeId(), SyncStatusQuery.MAX_PATCHED_SKUS);
        assertReadAgain("more SKUs changed than a patch takes", () -> db.rows(
                "UPDATE stock_cache SET store_stock = store_stock + 1 WHERE store_id = $1 AND sku LIKE 'PAT-MANY-%'",
                store.storeId()));
    }

    /**
     * A refused patch drops the kept snapshot: until the store is read again, the polls after it get the page query,
     * not one more patch bound to be refused (plus the page query) each.
     */
    @Test
    void afterARefusedPatchThePollsDoNotPatchAgainUntilTheStoreIsReadAgain() {
        keepSnapshot();
        long refused = snapshots.refusedPatches();
        snapshots.holdFullReads(true);
        try {
            seed("PAT-0", "Nuevo", 3, "3");
            for (int i = 0; i < 3; i++) {
                assertEveryPageEqualsTheQuery("a new SKU, poll " + i);
            }
            assertEquals(refused + 1, snapshots.refusedPatches(), "one refused patch");
            assertEquals(null, snapshots.kept(store.storeId()), "the refused snapshot is not kept");
        } finally {
            snapshots.holdFullReads(false);
        }
        keepSnapshot();
        assertEveryPageEqualsTheQuery("a new SKU, from the snapshot read again");
    }

    /** The feed is read only up to a bound: a hot SKU's many webhooks since the snapshot read the store in full. */
    @Test
    void aFeedLongerThanAPatchReadsIsReadInFull() {
        assertReadAgain("more feed rows than a patch reads", () -> db.rows("""
                WITH hot AS (INSERT INTO status_changes (store_id, sku)
                             SELECT $1, 'PAT-1' FROM generate_series(2, $2))
                UPDATE stock_cache SET store_stock = store_stock + 1 WHERE store_id = $1 AND sku = 'PAT-1'""",
                store.storeId(), SyncStatusQuery.MAX_FEED_ROWS));
    }

    /**
     * A burst of polls right after a change (several dashboards) shares one patch. The patch is held on a lock of the
     * feed until every poll has joined it, so the polls do overlap.
     */
    @Test
    void aBurstOfPollsAfterAChangeSharesOnePatch() throws Exception {
        keepSnapshot();
        long patches = snapshots.patches();
        long calls = snapshots.callsOnAPatch();
        db.rows("UPDATE stock_cache SET store_stock = 50 WHERE store_id = $1 AND sku = 'PAT-5'", store.storeId());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try (Connection lock = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE status_changes IN ACCESS EXCLUSIVE MODE");
            List<java.util.concurrent.Future<Integer>> polls = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                polls.add(pool.submit(() -> Api.admin().get(url + "&q=PAT-5").then().statusCode(200).extract()
                        .jsonPath().getInt("items[0].storeStock")));
            }
            Sandbox.await("every poll waiting on a patch", Duration.ofSeconds(20),
                    () -> snapshots.callsOnAPatch() == calls + 8);
            lock.commit();
            for (java.util.concurrent.Future<Integer> poll : polls) {
                assertEquals(50, poll.get(20, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(patches + 1, snapshots.patches(), "one patch for the burst");
        assertEveryPageEqualsTheQuery("a burst of polls");
    }

    /**
     * The pruned mark equal to the snapshot's xmin: the transaction with that id was still running when the snapshot
     * was read (xmin is the oldest one running), so a pruned change of it is one the snapshot missed.
     */
    @Test
    void aFeedPrunedUpToTheSnapshotsOldestRunningTransactionIsReadInFull() {
        assertReadAgain("the feed pruned up to the snapshot's xmin", () -> {
            db.rows("UPDATE status_changes_pruned SET xid = pg_snapshot_xmin($1::text::pg_snapshot)",
                    snapshots.kept(store.storeId()).dbSnapshot());
            db.rows("UPDATE stock_cache SET store_stock = 98 WHERE store_id = $1 AND sku = 'PAT-3'", store.storeId());
        });
    }
}
