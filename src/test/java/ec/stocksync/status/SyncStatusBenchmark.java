package ec.stocksync.status;

import ec.stocksync.support.Api;
import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.Db;
import ec.stocksync.support.HttpTimer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The status table of a big store: 10,000 SKUs, five pull logs each and 20,000 movements of history. Prints p50 and
 * p99 of a page of 50 over HTTP (first page, a deep page by last update, filter and search) and of the 304 a poll
 * with the current ETag gets, against the targets of issue 15. No timing assertion: the figure depends on the machine.
 * Run through {@code bench/run.sh} or {@code ./mvnw -Pbenchmark test}.
 */
@QuarkusTest
@Tag("benchmark")
class SyncStatusBenchmark {

    static final int SKUS = 10_000;
    static final int WARMUP = 100;
    static final int ROUNDS = 300;
    static final String SECTION = "sync-status, 10,000 SKUs, page of 50";

    @Inject
    Db db;
    @TestHTTPResource("/")
    URI base;

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

        report("first page", first, 10);
        report("deep page (100) by last update desc", middle, 10);
        report("MISMATCH filter + search", filtered, 10);

        // Right after a change the store is read again (once per change and replica): what the first caller pays.
        List<Double> cold = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            db.rows("UPDATE stock_cache SET store_stock = store_stock + 1 WHERE store_id = $1 AND sku = 'BENCH-00001'",
                    storeId);
            cold.addAll(HttpTimer.time(base.resolve(first), null, 200, 0, 1));
        }
        List<Double> measured = cold.subList(10, cold.size());
        BenchFigures.info(SECTION, "first page right after a change p50",
                BenchFigures.fmt(BenchFigures.percentile(measured, 50)) + " ms");
        BenchFigures.atMost(SECTION, "first page right after a change p99", BenchFigures.percentile(measured, 99), "ms", 10);

        // The poll of a dashboard that has the current page: answered from the store's version.
        String etag = Api.admin().get(first).then().statusCode(200).extract().header("ETag");
        List<Double> ms = HttpTimer.time(base.resolve(first), etag, 304, WARMUP, ROUNDS);
        BenchFigures.atMost(SECTION, "304 path p50", BenchFigures.percentile(ms, 50), "ms", 2);
        BenchFigures.atMost(SECTION, "304 path p99", BenchFigures.percentile(ms, 99), "ms", 2);
    }

    private void report(String what, String url, double targetP99) {
        List<Double> ms = HttpTimer.time(base.resolve(url), null, 200, WARMUP, ROUNDS);
        BenchFigures.info(SECTION, what + " p50", BenchFigures.fmt(BenchFigures.percentile(ms, 50)) + " ms");
        BenchFigures.atMost(SECTION, what + " p99", BenchFigures.percentile(ms, 99), "ms", targetP99);
    }
}
