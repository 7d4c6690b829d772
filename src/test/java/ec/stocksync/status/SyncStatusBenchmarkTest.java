package ec.stocksync.status;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The status table of a big store: 10,000 SKUs, five pull logs each and 20,000 movements of history. Prints how long
 * a page of 50 takes over HTTP (no timing assertion: the figure depends on the machine; it goes in the notes).
 */
@QuarkusTest
class SyncStatusBenchmarkTest {

    static final int SKUS = 10_000;
    static final int ROUNDS = 20;

    @Inject
    Db db;

    @Test
    void aPageOf50From10000SkusIsOneQueryAndPrintsItsTiming() {
        long storeId = Api.createShopifyStore();
        db.rows("""
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock, contifico_stock_at)
                SELECT $1, 'BENCH-' || lpad(g::text, 5, '0'), 'Producto ' || g, g % 50,
                       (g % 50) + CASE WHEN g % 7 = 0 THEN 1 ELSE 0 END, now()
                FROM generate_series(1, $2) g""", storeId, SKUS);
        db.rows("""
                INSERT INTO sync_logs (store_id, sku, trigger, action, contifico_stock, created_at)
                SELECT $1, 'BENCH-' || lpad(g::text, 5, '0'), CASE WHEN r % 3 = 0 THEN 'SALE' ELSE 'MANUAL' END,
                       CASE WHEN g % 97 = 0 AND r = 1 THEN 'ERROR' ELSE 'UNCHANGED' END, g % 50,
                       now() - make_interval(hours => r)
                FROM generate_series(1, $2) g, generate_series(1, 5) r""", storeId, SKUS);
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error)
                SELECT $1, 'BENCH-' || lpad((g % $2 + 1)::text, 5, '0'), 'SALE', 1, 'bench-' || $1 || '-' || g,
                       CASE WHEN g % 1000 = 0 THEN 'PENDING' WHEN g % 1500 = 0 THEN 'DEAD' ELSE 'DONE' END,
                       CASE WHEN g % 1500 = 0 THEN 'HTTP 500' END
                FROM generate_series(1, 20000) g""", storeId, SKUS);
        for (String table : List.of("stock_cache", "sync_logs", "inventory_movements_queue", "sync_status_latest")) {
            db.rows("ANALYZE " + table);
        }

        String first = "/api/sync-status?storeId=" + storeId + "&size=50";
        String middle = first + "&page=100&sort=-lastUpdatedAt";
        String filtered = first + "&status=MISMATCH&q=bench-01";
        JsonPath page = Api.admin().get(first).then().statusCode(200).extract().jsonPath();
        assertEquals(SKUS, page.getInt("summary.skus"));
        assertEquals(50, page.getList("items").size());
        assertEquals(SKUS, page.getInt("total"));

        report("first page", first);
        report("page 100 by lastUpdatedAt desc", middle);
        report("MISMATCH filter + search", filtered);
    }

    private static void report(String what, String url) {
        for (int i = 0; i < 5; i++) {
            Api.admin().get(url).then().statusCode(200);
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            Api.admin().get(url).then().statusCode(200);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(ms);
        System.out.printf("BENCHMARK sync-status %,d SKUs, page of 50, %s: median %.1f ms, p95 %.1f ms, max %.1f ms (%d calls over HTTP)%n",
                SKUS, what, ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.95) - 1), ms.get(ms.size() - 1),
                ROUNDS);
    }
}
