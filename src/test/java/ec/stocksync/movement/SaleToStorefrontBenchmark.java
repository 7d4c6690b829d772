package ec.stocksync.movement;

import ec.stocksync.support.Api;
import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.Db;
import ec.stocksync.support.HttpTimer;
import ec.stocksync.support.Sandbox;
import ec.stocksync.webhook.WebhookSignature;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * From a signed Shopify sale to the storefront showing Contifico's new figure, with a Contifico that answers at once:
 * the worker wakes on NOTIFY, pushes the EGR, reads the SKU back and writes the shop. The sale does not touch the
 * simulated shop (as in the README's curl example), so the post-push pull has a write to make and its moment is
 * observable. Then a burst of 50 sales over 10 SKUs and the Contifico calls it cost per sale. No timing assertion.
 */
@QuarkusTest
@Tag("benchmark")
class SaleToStorefrontBenchmark {

    static final String SECTION = "sale → storefront updated, instant Contifico";
    static final AtomicLong ORDERS = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;
    @TestHTTPResource("/")
    URI base;

    @AfterEach
    void stop() {
        worker.main().stop();
    }

    @Test
    void aHundredSalesOneAfterTheOtherThenABurstOfFifty() throws Exception {
        sandbox.reset();
        Sandbox.Wired store = sandbox.shopifyStore();
        sandbox.product(store, "LAT-1", 100_000, 100_000);
        List<String> burstSkus = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            burstSkus.add("BURST-" + i);
            sandbox.product(store, "BURST-" + i, 1_000, 1_000);
        }
        worker.main().start();
        URI uri = base.resolve("/webhooks/shopify/" + store.storeId());

        int expected = 100_000;
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < 110; i++) {
            expected--;
            long t0 = System.nanoTime();
            assertEquals(200, HttpTimer.send(sale(uri, "LAT-1", 1)).statusCode());
            int want = expected;
            Sandbox.awaitFast("the storefront at " + want, Duration.ofSeconds(30),
                    () -> Integer.valueOf(want).equals(sandbox.shopify().available("LAT-1")));
            double elapsed = (System.nanoTime() - t0) / 1e6;
            if (i >= 10) { // the first ten warm the path up
                ms.add(elapsed);
            }
        }
        BenchFigures.atMost(SECTION, "p50 over 100 sales (warm)", BenchFigures.percentile(ms, 50), "ms", 150);
        BenchFigures.info(SECTION, "p99 over 100 sales", BenchFigures.fmt(BenchFigures.percentile(ms, 99)) + " ms");

        int callsBefore = sandbox.contifico().totalCount();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String sku = burstSkus.get(i % 10);
                sent.add(pool.submit(() -> HttpTimer.send(sale(uri, sku, 1)).statusCode()));
            }
            for (Future<Integer> f : sent) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        Sandbox.await("the burst pushed", Duration.ofSeconds(120), () -> db.count("""
                SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND sku LIKE 'BURST-%' AND status = 'DONE'""",
                store.storeId()) == 50);
        for (String sku : burstSkus) {
            assertEquals(995, sandbox.shopify().available(sku), sku + " after five sales");
        }
        double perSale = (sandbox.contifico().totalCount() - callsBefore) / 50.0;
        BenchFigures.info("Contifico calls per sale, burst of 50 over 10 SKUs", "calls per sale",
                BenchFigures.fmt(perSale));
    }

    private static HttpRequest sale(URI uri, String sku, int quantity) {
        long orderId = ORDERS.incrementAndGet();
        String body = """
                {"id": %d, "name": "#%d", "test": false, "line_items": [
                  {"id": %d, "sku": "%s", "quantity": %d, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                .formatted(orderId, orderId % 100000, orderId + 1, sku, quantity);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("X-Shopify-Topic", "orders/create").header("X-Shopify-Shop-Domain", "sandbox.myshopify.com")
                .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString())
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.SHOPIFY_SECRET, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    }
}
