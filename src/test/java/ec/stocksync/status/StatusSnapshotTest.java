package ec.stocksync.status;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pages answered from memory ({@link StatusSnapshot}) must be the pages the SQL gives ({@link SyncStatusQuery#page},
 * the reference): every sort in both directions, status and text filters, first, middle and past-the-end pages, on a
 * store with the awkward cases (names missing, repeated or differing only in case and accents, figures missing,
 * fractional or negative, failed pulls, queued, DEAD and dismissed movements, sales of SKUs never cached).
 */
@QuarkusTest
class StatusSnapshotTest {

    @Inject
    Db db;
    @Inject
    SyncStatusQuery query;

    @Test
    void everyInMemoryPageEqualsThePageTheQueryGives() {
        long store = seed();
        StatusSnapshot snapshot = query.all(store).await().indefinitely();
        assertTrue(snapshot.size() > 80, "the never-cached SKUs of queued sales are rows too: " + snapshot.size());
        assertEveryPageEqualsTheQuery(store, snapshot);
    }

    /**
     * A patched snapshot ({@link StatusSnapshot#patched}) keeps the ranks and moves only the changed rows in the
     * sorted orders it carries over: after many SKUs changed every column the sorts use, every page is still the SQL's.
     */
    @Test
    void everyPageOfAPatchedSnapshotEqualsThePageTheQueryGives() {
        long store = seed();
        StatusSnapshot snapshot = query.all(store).await().indefinitely();
        assertEveryPageEqualsTheQuery(store, snapshot);
        db.rows("""
                UPDATE stock_cache SET store_stock = CASE WHEN store_stock IS NULL THEN 2 WHEN sku LIKE '%3' THEN NULL
                                                          ELSE store_stock + 3 END,
                                       contifico_stock = coalesce(contifico_stock, 0) - 1.5,
                                       last_checked_at = CASE WHEN sku LIKE '%1' THEN NULL ELSE now() END,
                                       last_checked_trigger = 'MANUAL'
                WHERE store_id = $1 AND sku IN (SELECT sku FROM stock_cache WHERE store_id = $1 ORDER BY md5(sku) LIMIT 30)""",
                store);
        db.rows("""
                INSERT INTO sync_logs (store_id, sku, trigger, action, error, created_at)
                SELECT $1, 'SNAP-' || lpad(g::text, 3, '0'), 'SALE', CASE WHEN g % 2 = 0 THEN 'ERROR' ELSE 'UPDATED' END,
                       'HTTP 502', now() + make_interval(secs => g)
                FROM generate_series(5, 80, 9) g""", store);
        db.rows("""
                UPDATE inventory_movements_queue SET status = CASE status WHEN 'PENDING' THEN 'DONE' ELSE 'DEAD' END
                WHERE store_id = $1 AND status IN ('PENDING', 'IN_PROGRESS') AND sku LIKE 'SNAP-%'""", store);
        SyncStatusQuery.Patch patch = query.patch(snapshot).await().indefinitely();
        assertTrue(patch.changes() != null && patch.changes().size() > 30, "patchable: " + patch.changes());
        StatusSnapshot patched = snapshot.patched(patch.version(), patch.dbSnapshot(), patch.changes());
        assertTrue(patched != null, "no SKU new, gone or renamed");
        assertEveryPageEqualsTheQuery(store, patched);
    }

    private long seed() {
        long store = Api.createShopifyStore();
        db.rows("""
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock, contifico_stock_at,
                                         last_checked_at, last_checked_trigger)
                SELECT $1, 'SNAP-' || lpad(g::text, 3, '0'),
                       CASE g % 6 WHEN 0 THEN NULL WHEN 1 THEN 'Árbol ' || (g % 4) WHEN 2 THEN 'árbol ' || (g % 4)
                                  WHEN 3 THEN 'Zapato' ELSE 'b-' || g END,
                       CASE WHEN g % 9 = 0 THEN NULL ELSE g % 5 END,
                       CASE g % 7 WHEN 0 THEN NULL WHEN 1 THEN -3 WHEN 2 THEN (g % 5) + 0.5 ELSE g % 5 END,
                       now(),
                       CASE WHEN g % 4 = 0 THEN NULL ELSE timestamptz '2026-01-01' + make_interval(mins => g % 13) END,
                       CASE WHEN g % 4 = 0 THEN NULL ELSE 'SCHEDULED' END
                FROM generate_series(1, 80) g""", store);
        db.rows("""
                INSERT INTO sync_logs (store_id, sku, trigger, action, error, created_at)
                SELECT $1, 'SNAP-' || lpad(g::text, 3, '0'), CASE WHEN g % 2 = 0 THEN 'SALE' ELSE 'MANUAL' END,
                       CASE WHEN g % 5 = 0 THEN 'ERROR' ELSE 'UPDATED' END, CASE WHEN g % 5 = 0 THEN 'HTTP 500' END,
                       timestamptz '2026-01-01' + make_interval(mins => g % 17)
                FROM generate_series(1, 80, 2) g""", store);
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error,
                                                       dismissed_at, created_at)
                SELECT $1, CASE WHEN g % 10 = 0 THEN 'NOCACHE-' || g ELSE 'SNAP-' || lpad((g * 7 % 80 + 1)::text, 3, '0') END,
                       CASE WHEN g % 3 = 0 THEN 'RESTOCK' ELSE 'SALE' END, 1 + g % 3, 'snap-' || $1 || '-' || g,
                       CASE g % 4 WHEN 0 THEN 'PENDING' WHEN 1 THEN 'DEAD' WHEN 2 THEN 'DONE' ELSE 'IN_PROGRESS' END,
                       CASE WHEN g % 4 IN (1, 3) THEN 'error ' || g END,
                       CASE WHEN g % 8 = 1 THEN now() END, now() - make_interval(mins => g)
                FROM generate_series(1, 40) g""", store);
        return store;
    }

    private void assertEveryPageEqualsTheQuery(long store, StatusSnapshot snapshot) {
        List<String> checked = new ArrayList<>();
        for (String sort : SyncStatusQuery.SORTS.keySet()) {
            for (boolean desc : List.of(false, true)) {
                for (SyncStatus status : new SyncStatus[]{null, SyncStatus.PENDING, SyncStatus.ERROR, SyncStatus.SYNCED}) {
                    for (String q : new String[]{null, "árbol", "SNAP-01", "nothing"}) {
                        for (int page : new int[]{0, 1, 5}) {
                            SyncStatusQuery.Request req = new SyncStatusQuery.Request(store, status, q, page, 7, sort, desc);
                            SyncStatusPage sql = query.page(req).await().indefinitely().page();
                            SyncStatusPage mem = snapshot.page(req, OffsetDateTime.now());
                            String what = sort + (desc ? " desc" : "") + " status=" + status + " q=" + q + " page=" + page;
                            assertEquals(sql.items(), mem.items(), what);
                            assertEquals(sql.total(), mem.total(), what);
                            assertEquals(sql.sort(), mem.sort(), what);
                            SyncStatusPage.Summary a = sql.summary();
                            SyncStatusPage.Summary b = mem.summary();
                            assertEquals(List.of(a.skus(), a.counts(), a.queueDepth(), a.deadMovements()),
                                    List.of(b.skus(), b.counts(), b.queueDepth(), b.deadMovements()), what);
                            assertTrue(a.oldestPendingAt().isEqual(b.oldestPendingAt()), what);
                            assertTrue(Math.abs(a.oldestPendingAgeSeconds() - b.oldestPendingAgeSeconds()) <= 1, what);
                            checked.add(what);
                        }
                    }
                }
            }
        }
        assertEquals(7 * 2 * 4 * 4 * 3, checked.size());
    }
}
