package ec.stocksync.status;

import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.HttpTimer;
import ec.stocksync.support.PackagedApp;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status table of a big store: 10,000 SKUs, five pull logs each and 20,000 movements of history, served by the
 * packaged app in its own JVM (prod profile, default JVM settings). Prints p50 and p99 of a page of 50 over HTTP
 * (first page, a deep page by last update, filter and search), of the first page right after a write, and of the 304
 * a poll with the current ETag gets, against the targets of issue 15. Each query is timed after untimed requests
 * that warm the app's JIT, as a dashboard polling all day does. No timing assertion: the figure depends on the
 * machine. Run through {@code bench/run.sh}.
 */
@Tag("benchmark")
class SyncStatusBenchmark {

    static final int SKUS = 10_000;
    static final int WARMUP = 1_000;
    static final int ROUNDS = 2_000;
    static final String SECTION = "sync-status, 10,000 SKUs, page of 50";
    static final String SCHEMA = PackagedApp.schema("status");

    @Test
    void aPageOf50From10000SkusIsOneQueryAndPrintsItsTiming() throws Exception {
        PackagedApp.freshSchema(SCHEMA);
        try (PackagedApp app = PackagedApp.start("sync-status", SCHEMA, List.of(), Map.of(
                // The shop is never called here; prod would otherwise resolve its name when it is saved.
                "stocksync.outbound.allowed-hosts", "bench-status.myshopify.com"))) {
            long storeId = app.createStore("""
                    {"name": "Bench Shopify", "platform": "shopify", "shopDomain": "bench-status.myshopify.com",
                     "accessToken": "shpat_bench", "webhookSecret": "bench-shopify-secret", "locationId": "655441491"}""");
            try (Connection c = app.jdbc()) {
                seed(c, storeId);
                run(app, c, storeId);
            }
        }
    }

    private static void seed(Connection c, long storeId) throws SQLException {
        execute(c, """
                INSERT INTO stock_cache (store_id, sku, name, store_stock, contifico_stock, contifico_stock_at)
                SELECT ?, 'BENCH-' || lpad(g::text, 5, '0'), 'Producto ' || g, g % 50,
                       (g % 50) + CASE WHEN g % 7 = 0 THEN 1 ELSE 0 END, now()
                FROM generate_series(1, ?) g""", storeId, SKUS);
        execute(c, """
                INSERT INTO sync_logs (store_id, sku, trigger, action, contifico_stock, created_at)
                SELECT ?, 'BENCH-' || lpad(g::text, 5, '0'), CASE WHEN r % 3 = 0 THEN 'SALE' ELSE 'MANUAL' END,
                       CASE WHEN g % 97 = 0 AND r = 1 THEN 'ERROR' ELSE 'UNCHANGED' END, g % 50,
                       now() - make_interval(hours => r)
                FROM generate_series(1, ?) g, generate_series(1, 5) r""", storeId, SKUS);
        execute(c, """
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error)
                SELECT ?, 'BENCH-' || lpad((g % ? + 1)::text, 5, '0'), 'SALE', 1, 'bench-' || ? || '-' || g,
                       CASE WHEN g % 1000 = 0 THEN 'PENDING' WHEN g % 1500 = 0 THEN 'DEAD' ELSE 'DONE' END,
                       CASE WHEN g % 1500 = 0 THEN 'HTTP 500' END
                FROM generate_series(1, 20000) g""", storeId, SKUS, storeId);
        try (Statement st = c.createStatement()) {
            // VACUUM too: autovacuum would otherwise get to these fresh rows in the middle of the measurement.
            for (String table : List.of("stock_cache", "sync_logs", "inventory_movements_queue", "sync_status_latest")) {
                st.execute("VACUUM ANALYZE " + table);
            }
        }
    }

    private static void run(PackagedApp app, Connection c, long storeId) throws Exception {
        String first = "/api/sync-status?storeId=" + storeId + "&size=50";
        String middle = first + "&page=100&sort=-lastUpdatedAt";
        String filtered = first + "&status=MISMATCH&q=bench-01";
        HttpResponse<String> page = HttpTimer.send(get(app.uri(first)));
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("\"skus\":" + SKUS), "the summary counts every SKU: " + page.body().substring(0, 200));
        assertTrue(page.body().contains("\"total\":" + SKUS), "the page counts every row");

        report(app, "first page", first);
        report(app, "deep page (100) by last update desc", middle);
        report(app, "MISMATCH filter + search", filtered);

        // Right after a change the kept snapshot is patched with the changed SKU (once per change and replica): what
        // the first caller pays.
        // 200 measured after 20: a p99 of 50 samples was their worst one.
        List<Double> cold = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            execute(c, "UPDATE stock_cache SET store_stock = store_stock + 1 WHERE store_id = ? AND sku = 'BENCH-00001'",
                    storeId);
            cold.addAll(HttpTimer.time(app.uri(first), PackagedApp.ADMIN_TOKEN, null, 200, 0, 1));
        }
        List<Double> measured = cold.subList(20, cold.size());
        BenchFigures.info(SECTION, "first page right after a change p50",
                BenchFigures.fmt(BenchFigures.percentile(measured, 50)) + " ms");
        BenchFigures.atMost(SECTION, "first page right after a change p99", BenchFigures.percentile(measured, 99), "ms", 10);

        // The poll of a dashboard that has the current page: answered from the store's version.
        String etag = HttpTimer.send(get(app.uri(first))).headers().firstValue("ETag").orElseThrow();
        List<Double> ms = HttpTimer.time(app.uri(first), PackagedApp.ADMIN_TOKEN, etag, 304, WARMUP, ROUNDS);
        BenchFigures.atMost(SECTION, "304 path p50", BenchFigures.percentile(ms, 50), "ms", 2);
        BenchFigures.atMost(SECTION, "304 path p99", BenchFigures.percentile(ms, 99), "ms", 2);
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + PackagedApp.ADMIN_TOKEN).GET().build();
    }

    private static void report(PackagedApp app, String what, String url) {
        List<Double> ms = HttpTimer.time(app.uri(url), PackagedApp.ADMIN_TOKEN, null, 200, WARMUP, ROUNDS);
        BenchFigures.info(SECTION, what + " p50", BenchFigures.fmt(BenchFigures.percentile(ms, 50)) + " ms");
        BenchFigures.atMost(SECTION, what + " p99", BenchFigures.percentile(ms, 99), "ms", 10);
    }

    private static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            st.execute();
        }
    }
}
