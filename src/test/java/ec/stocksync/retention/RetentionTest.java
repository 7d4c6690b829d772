package ec.stocksync.retention;

import ec.stocksync.cluster.TryLock;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The defaults apply: 90 days for each kind of history. "Old" rows here are 100 days old or more. */
@QuarkusTest
class RetentionTest {

    private static final AtomicLong ORDER_IDS = new AtomicLong(8_100_000_000_000_000_000L);

    @Inject
    RetentionJob retention;
    @Inject
    Db db;
    @Inject
    Pool pool;
    @Inject
    Sandbox sandbox;

    RetentionJob.Purged purge(int batchSize) {
        Optional<RetentionJob.Purged> purged = retention.purge(batchSize).await().atMost(Duration.ofSeconds(60));
        assertTrue(purged.isPresent(), "no other replica holds the retention lock");
        return purged.get();
    }

    long log(long storeId, String sku, int daysAgo, Long pullRunId, Long movementId) {
        return db.rows("""
                        INSERT INTO sync_logs (store_id, sku, trigger, action, contifico_stock, pull_run_id, movement_id,
                                               created_at)
                        VALUES ($1, $2, 'MANUAL', 'UNCHANGED', 5, $3, $4, now() - $5::int * interval '1 day') RETURNING id""",
                storeId, sku, pullRunId, movementId, daysAgo).get(0).getLong(0);
    }

    /** A pull run started 200 days ago; {@code finishedDaysAgo} null for one still RUNNING. */
    long run(long storeId, String status, Integer finishedDaysAgo) {
        return db.rows("""
                        INSERT INTO pull_runs (store_id, trigger, kind, status, started_at, finished_at)
                        VALUES ($1, 'MANUAL', 'FULL', $2, now() - interval '200 days', now() - $3::int * interval '1 day')
                        RETURNING id""", storeId, status, finishedDaysAgo).get(0).getLong(0);
    }

    /** A movement created 200 days ago; {@code doneDaysAgo} null for one that never finished. */
    long movement(long storeId, String sku, String status, Integer doneDaysAgo) {
        return db.rows("""
                        INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status,
                                                               created_at, done_at)
                        VALUES ($1, $2, 'SALE', 1, $3, $4, now() - interval '200 days', now() - $5::int * interval '1 day')
                        RETURNING id""", storeId, sku, "ret-" + UUID.randomUUID(), status, doneDaysAgo).get(0).getLong(0);
    }

    long count(String table, long storeId) {
        return db.count("SELECT count(*) FROM " + table + " WHERE store_id = $1", storeId);
    }

    boolean exists(String table, long id) {
        return db.count("SELECT count(*) FROM " + table + " WHERE id = $1", id) == 1;
    }

    @Test
    void oldHistoryIsPurgedBatchByBatchWhileRecentRowsRunningRunsAndOpenMovementsStay() {
        long store = Api.createShopifyStore();
        long oldRun = run(store, "DONE", 100);
        run(store, "FAILED", 95);
        run(store, "DONE", 120);
        long recentRun = run(store, "DONE", 10);
        long runningForever = run(store, "RUNNING", null);
        long oldDone = movement(store, "RET-A", "DONE", 100);
        for (int i = 0; i < 4; i++) {
            movement(store, "RET-A", "DONE", 91 + i);
        }
        long recentDone = movement(store, "RET-A", "DONE", 1);
        long pending = movement(store, "RET-B", "PENDING", null);
        long inProgress = movement(store, "RET-B", "IN_PROGRESS", null);
        long dead = movement(store, "RET-C", "DEAD", null);
        for (int i = 0; i < 7; i++) {
            log(store, "RET-A", 100 + i, oldRun, oldDone);
        }
        long keptBoundary = log(store, "RET-A", 80, null, null);
        // A recent log of an old run and an old movement outlives both: it only loses the links.
        long keptLinked = log(store, "RET-A", 0, oldRun, oldDone);

        RetentionJob.Purged purged = purge(2);

        // Batches of 2: every count above 2 took several DELETEs.
        assertTrue(purged.syncLogs() >= 7, "sync_logs purged: " + purged);
        assertTrue(purged.pullRuns() >= 3, "pull runs purged: " + purged);
        assertTrue(purged.doneMovements() >= 5, "DONE movements purged: " + purged);
        assertEquals(List.of(keptBoundary, keptLinked), db.rows(
                "SELECT id FROM sync_logs WHERE store_id = $1 ORDER BY id", store).stream().map(r -> r.getLong(0)).toList());
        Row linked = db.rows("SELECT pull_run_id, movement_id FROM sync_logs WHERE id = $1", keptLinked).get(0);
        assertNull(linked.getLong("pull_run_id"));
        assertNull(linked.getLong("movement_id"));
        assertEquals(List.of(recentRun, runningForever), db.rows(
                "SELECT id FROM pull_runs WHERE store_id = $1 ORDER BY id", store).stream().map(r -> r.getLong(0)).toList());
        assertEquals(List.of(recentDone, pending, inProgress, dead), db.rows(
                        "SELECT id FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", store).stream()
                .map(r -> r.getLong(0)).toList());

        RetentionJob.Purged again = purge(2);
        assertEquals(2, count("sync_logs", store), "a second purge finds nothing more of this store: " + again);
    }

    @Test
    void theStatusTableStillShowsASkuAfterItsOldLogsArePurged() {
        long store = Api.createShopifyStore();
        db.rows("""
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock)
                VALUES ($1, 'RET-STATUS', 'Perfume viejo', 5, 5) RETURNING sku""", store);
        log(store, "RET-STATUS", 120, null, null);
        log(store, "RET-STATUS", 100, null, null);
        String url = "/api/sync-status?storeId=" + store;
        JsonPath before = Api.admin().get(url).then().statusCode(200).extract().jsonPath();

        purge(1000);

        assertEquals(0, count("sync_logs", store));
        JsonPath after = Api.admin().get(url).then().statusCode(200).extract().jsonPath();
        assertEquals("RET-STATUS", after.getString("items[0].sku"));
        assertEquals("SYNCED", after.getString("items[0].status"));
        assertEquals("MANUAL", after.getString("items[0].trigger"));
        assertNotNull(after.getString("items[0].lastUpdatedAt"));
        assertEquals(before.getString("items[0].lastUpdatedAt"), after.getString("items[0].lastUpdatedAt"));
        assertEquals(1, after.getInt("summary.counts.SYNCED"));
    }

    @Test
    void aDeadMovementOutlivesThePurgeAndKeepsFlaggingItsSkuUntilAnOperatorSettlesIt() {
        long store = Api.createShopifyStore();
        db.rows("INSERT INTO stock_cache (store_id, sku, store_stock, contifico_stock) VALUES ($1, 'RET-DEAD', 5, 5)"
                + " RETURNING sku", store);
        log(store, "RET-DEAD", 1, null, null);
        long dead = movement(store, "RET-DEAD", "DEAD", null);
        long older = movement(store, "RET-DEAD", "DONE", 150);
        long later = movement(store, "RET-DEAD", "DONE", 100);
        String url = "/api/sync-status?storeId=" + store;
        Api.admin().get(url).then().statusCode(200).body("items[0].status", org.hamcrest.Matchers.equalTo("ERROR"));

        purge(1000);

        assertTrue(exists("inventory_movements_queue", dead));
        assertTrue(!exists("inventory_movements_queue", older));
        assertTrue(!exists("inventory_movements_queue", later));
        Api.admin().get(url).then().statusCode(200).body("items[0].status", org.hamcrest.Matchers.equalTo("ERROR"))
                .body("items[0].deadMovements", org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void aPurgedSaleIsNotBookedAgainWhenItsOrderIsDeliveredOnceMore() {
        sandbox.reset();
        Sandbox.Wired store = sandbox.shopifyStore();
        String oldOrder = order(ORDER_IDS.incrementAndGet(), "RET-SALE");
        Sandbox.deliverShopify(store.storeId(), "orders/create", oldOrder);
        assertEquals(1, count("inventory_movements_queue", store.storeId()));
        db.rows("UPDATE inventory_movements_queue SET status = 'DONE', done_at = now() - interval '100 days'"
                + " WHERE store_id = $1 RETURNING id", store.storeId());

        purge(1000);
        assertEquals(0, count("inventory_movements_queue", store.storeId()));

        // A reconciliation re-reads an old order whenever it changes (a late refund, a note): its sale was booked.
        Sandbox.deliverShopify(store.storeId(), "orders/create", oldOrder);
        assertEquals(0, count("inventory_movements_queue", store.storeId()));
        Sandbox.deliverShopify(store.storeId(), "orders/create", order(ORDER_IDS.incrementAndGet(), "RET-SALE"));
        assertEquals(1, count("inventory_movements_queue", store.storeId()), "a new order still books");
    }

    static String order(long orderId, String sku) {
        return """
                {"id": %d, "name": "#%d", "test": false, "line_items": [
                  {"id": %d, "sku": "%s", "quantity": 2, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                .formatted(orderId, orderId % 100000, orderId + 1, sku);
    }

    @Test
    void aPurgeRunsOnOneReplicaAtATime() {
        long store = Api.createShopifyStore();
        log(store, "RET-LOCK", 100, null, null);

        // Another replica in the middle of a purge holds the retention lock for its whole run.
        Optional<RetentionJob.Purged> whileHeld = pool.withTransaction(tx -> tx.preparedQuery(TryLock.SQL)
                        .execute(Tuple.of("retention"))
                        .chain(rows -> {
                            assertTrue(rows.iterator().next().getBoolean(0), "the other replica got the lock");
                            return retention.purge(1000);
                        }))
                .await().atMost(Duration.ofSeconds(30));

        assertTrue(whileHeld.isEmpty());
        assertEquals(1, count("sync_logs", store));
        purge(1000);
        assertEquals(0, count("sync_logs", store), "the lock died with the other replica's transaction");
    }

    @Test
    void theStatusChangeFeedKeepsItsLastHourAndMarksTheHighestTransactionItDeleted() {
        long store = Api.createShopifyStore();
        db.rows("INSERT INTO stock_cache (store_id, sku, name, store_stock) VALUES ($1, 'RET-FEED', 'Feed', 1)", store);
        db.rows("UPDATE status_changes SET created_at = now() - interval '2 hours' WHERE store_id = $1", store);
        long oldXid = db.rows("SELECT max(xid)::text::bigint FROM status_changes WHERE store_id = $1", store).get(0).getLong(0);
        db.rows("UPDATE stock_cache SET store_stock = 2 WHERE store_id = $1 AND sku = 'RET-FEED'", store);
        // The store's creation (sku NULL) and the insert are two hours old, the update is new.
        assertEquals(3, count("status_changes", store));

        // What the mark must become: every row older than the hour goes (other stores' too), and the mark only grows.
        long expectedMark = db.rows("""
                SELECT greatest((SELECT xid FROM status_changes_pruned),
                                (SELECT max(xid) FROM status_changes WHERE created_at < now() - interval '1 hour'))
                       ::text::bigint""").get(0).getLong(0);
        assertTrue(expectedMark >= oldXid);

        RetentionJob.Purged purged = purge(1);
        assertTrue(purged.statusChanges() >= 1, "the old change went, in batches of 1: " + purged);
        assertEquals(List.of("RET-FEED"), db.rows("SELECT sku FROM status_changes WHERE store_id = $1", store).stream()
                .map(r -> r.getString("sku")).toList(), "the change of the last hour stays");
        assertEquals(expectedMark, db.rows("SELECT xid::text::bigint FROM status_changes_pruned").get(0).getLong(0),
                "the mark is the highest transaction id deleted: a snapshot that did not see it must not be patched");

        // Two transactions' rows deleted in one batch: the mark is the higher id, not any one deleted.
        db.rows("UPDATE stock_cache SET store_stock = 3 WHERE store_id = $1 AND sku = 'RET-FEED'", store);
        db.rows("UPDATE status_changes SET created_at = now() - interval '2 hours' WHERE store_id = $1", store);
        long highest = db.rows("SELECT max(xid)::text::bigint FROM status_changes WHERE store_id = $1", store).get(0)
                .getLong(0);
        assertEquals(2, count("status_changes", store));
        purge(1000);
        assertEquals(0, count("status_changes", store));
        assertEquals(highest, db.rows("SELECT xid::text::bigint FROM status_changes_pruned").get(0).getLong(0));
    }
}
