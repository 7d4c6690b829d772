package ec.stocksync.storefront;

import ec.stocksync.store.Store;
import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.RecordedRequest;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static ec.stocksync.sandbox.storefront.WooCommerceSimulator.variation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class WooCommerceClientContractTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    WooCommerceSimulator sim;
    @Inject
    StorefrontClients clients;

    StorefrontClient client;
    WooCommerceSimulator.Item mug;
    WooCommerceSimulator.Item hoodie;

    @BeforeEach
    void seed() {
        sim.reset();
        mug = sim.addSimple("Mug", "MUG-1", 25);
        sim.addSimple("Sticker", "STICKER", null);
        hoodie = sim.addVariable("Hoodie", "HOODIE", variation("HOOD-S", "S", 3), variation("HOOD-M", "M", 4), variation("HOOD-L", "L", 0));
        client = clients.forStore(store(sim.consumerKey(), sim.consumerSecret()));
    }

    private Store store(String key, String secret) {
        Store store = new Store();
        store.platform = "woocommerce";
        store.siteUrl = "https://shop.example.ec";
        store.apiBaseUrl = sim.baseUrl();
        store.consumerKey = key;
        store.consumerSecret = secret;
        return store;
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    private static StorefrontException failure(Uni<?> uni) {
        return assertThrows(StorefrontException.class, () -> await(uni));
    }

    @Test
    void findsASimpleProductBySkuWithBasicAuth() {
        StorefrontItem item = await(client.findBySku("MUG-1"));

        assertEquals(new StorefrontItem("MUG-1", "Mug", String.valueOf(mug.id), null, null, 25, true), item);
        RecordedRequest request = sim.requests().get(0);
        assertEquals("/wp-json/wc/v3/products", request.path());
        assertEquals("sku=MUG-1", request.query());
        assertEquals(1, sim.requests().size());
    }

    @Test
    void findsAVariationBySkuUnderItsVariableParent() {
        StorefrontItem item = await(client.findBySku("HOOD-M"));

        assertEquals("HOOD-M", item.sku());
        assertEquals(String.valueOf(hoodie.id), item.productId());
        assertEquals(String.valueOf(sim.itemBySku("HOOD-M").id), item.variantId());
        assertEquals("Hoodie - M", item.name());
        assertEquals(4, item.stock());
        assertTrue(item.isVariation());
        assertEquals(1, sim.count(WooCommerceSimulator.LIST_VARIATIONS));
    }

    @Test
    void unmanagedProductHasNoStock() {
        StorefrontItem item = await(client.findBySku("STICKER"));

        assertFalse(item.managed());
        assertNull(item.stock());
    }

    @Test
    void unknownSkuFailsAsNotFound() {
        StorefrontException e = failure(client.findBySku("NOPE"));

        assertEquals(StorefrontException.Kind.NOT_FOUND, e.kind());
        assertFalse(e.retryable());
    }

    @Test
    void readStockSeesChangesMadeOnWooCommerce() {
        StorefrontItem item = await(client.findBySku("HOOD-S"));
        sim.setStock("HOOD-S", 9);

        assertEquals(9, await(client.readStock(item)).stock());
        assertEquals(1, sim.count(WooCommerceSimulator.GET_VARIATION));
    }

    @Test
    void readOfADeletedProductFailsAsNotFound() {
        StorefrontItem ghost = new StorefrontItem("GHOST", "Ghost", "999999", null, null, 1, true);

        StorefrontException e = failure(client.readStock(ghost));

        assertEquals(StorefrontException.Kind.NOT_FOUND, e.kind());
        assertEquals("woocommerce_rest_product_invalid_id", e.code());
    }

    @Test
    void setStockSendsManageStockTogetherWithTheQuantity() {
        StorefrontItem sticker = await(client.findBySku("STICKER"));

        StorefrontItem written = await(client.setStock(sticker, null, 12));

        assertEquals(12, written.stock());
        assertTrue(written.managed());
        assertEquals(12, sim.stockOf("STICKER"));
        assertTrue(sim.managesStock("STICKER"));
        RecordedRequest put = sim.requests(WooCommerceSimulator.PUT_PRODUCT).get(0);
        assertEquals(new JsonObject().put("manage_stock", true).put("stock_quantity", 12), new JsonObject(put.body()));
    }

    @Test
    void setStockOfAVariationPutsUnderItsParent() {
        StorefrontItem item = await(client.findBySku("HOOD-L"));

        assertEquals(6, await(client.setStock(item, 0, 6)).stock());

        assertEquals(6, sim.stockOf("HOOD-L"));
        RecordedRequest put = sim.requests(WooCommerceSimulator.PUT_VARIATION).get(0);
        assertEquals("/wp-json/wc/v3/products/" + hoodie.id + "/variations/" + item.variantId(), put.path());
        assertEquals(true, new JsonObject(put.body()).getBoolean("manage_stock"));
    }

    @Test
    void batchOfMoreThanAHundredIsSplitIntoRequestsOfAtMostAHundred() {
        List<StockWrite> writes = new ArrayList<>();
        for (int i = 0; i < 230; i++) {
            WooCommerceSimulator.Item p = sim.addSimple("Bulk " + i, "BULK-" + i, 0);
            writes.add(new StockWrite(new StorefrontItem(p.sku, p.name, String.valueOf(p.id), null, null, 0, true), 0, i));
        }
        for (String sku : List.of("HOOD-S", "HOOD-M")) {
            writes.add(new StockWrite(await(client.findBySku(sku)), null, 40));
        }
        sim.clearRecordings();

        List<StockWriteResult> results = await(client.setStocks(writes));

        assertEquals(232, results.size());
        assertTrue(results.stream().allMatch(StockWriteResult::ok));
        assertEquals(writes, results.stream().map(StockWriteResult::write).toList());
        List<RecordedRequest> batches = sim.requests(WooCommerceSimulator.BATCH_PRODUCTS);
        assertEquals(3, batches.size());
        for (RecordedRequest batch : batches) {
            JsonObject body = new JsonObject(batch.body());
            assertTrue(body.getJsonArray("update").size() <= 100);
            JsonObject first = body.getJsonArray("update").getJsonObject(0);
            assertEquals(true, first.getBoolean("manage_stock"));
            assertTrue(first.containsKey("stock_quantity"));
        }
        assertEquals(1, sim.count(WooCommerceSimulator.BATCH_VARIATIONS));
        assertEquals(229, sim.stockOf("BULK-229"));
        assertEquals(40, sim.stockOf("HOOD-M"));
    }

    @Test
    void batchReportsAnItemWooCommerceRefusedWithoutFailingTheOthers() {
        StorefrontItem ghost = new StorefrontItem("GHOST", "Ghost", "999999", null, null, 1, true);
        StorefrontItem mugItem = await(client.findBySku("MUG-1"));

        List<StockWriteResult> results = await(client.setStocks(List.of(new StockWrite(ghost, null, 1), new StockWrite(mugItem, null, 2))));

        assertFalse(results.get(0).ok());
        assertEquals("woocommerce_rest_product_invalid_id", results.get(0).error().code());
        assertTrue(results.get(1).ok());
        assertEquals(2, sim.stockOf("MUG-1"));
    }

    @Test
    void catalogueWalksEveryPageAndEveryVariation() {
        for (int i = 0; i < 205; i++) {
            sim.addSimple("Bulk " + i, "BULK-" + i, i);
        }
        sim.addSimple("No SKU", "", 1);

        List<StorefrontItem> items = client.catalogue().collect().asList().await().atMost(WAIT);

        // 2 simple + 205 bulk + 3 variations; the variable parent and the SKU-less product are not stock-keeping units
        assertEquals(210, items.size());
        assertEquals(3, sim.count(WooCommerceSimulator.LIST_PRODUCTS));
        assertEquals(1, sim.count(WooCommerceSimulator.LIST_VARIATIONS));
        assertTrue(sim.requests(WooCommerceSimulator.LIST_PRODUCTS).stream().allMatch(r -> r.query().contains("per_page=100")));
        assertTrue(items.stream().anyMatch(i -> i.sku().equals("HOOD-L") && i.isVariation()));
        assertFalse(items.stream().anyMatch(i -> i.sku().equals("HOODIE")));
        assertEquals(204, items.stream().filter(i -> i.sku().equals("BULK-204")).findFirst().orElseThrow().stock());
    }

    @Test
    void wrongCredentialsFailAsAuthWithoutRetrying() {
        StorefrontException e = failure(clients.forStore(store("ck_wrong", "cs_wrong")).findBySku("MUG-1"));

        assertEquals(StorefrontException.Kind.AUTH, e.kind());
        assertEquals(401, e.httpStatus());
        assertEquals("woocommerce_rest_authentication_error", e.code());
        assertEquals(1, sim.requests().size());
    }

    @Test
    void http429IsRetriedAfterTheRetryAfterDelay() {
        sim.inject(Fault.rateLimited(Duration.ofSeconds(1)).on(WooCommerceSimulator.LIST_PRODUCTS));
        long start = System.nanoTime();

        assertEquals(25, await(client.findBySku("MUG-1")).stock());

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 1000);
        assertEquals(2, sim.count(WooCommerceSimulator.LIST_PRODUCTS));
    }

    @Test
    void serverErrorsAreRetried() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.inject(Fault.error500().times(2).on(WooCommerceSimulator.PUT_PRODUCT));

        assertEquals(3, await(client.setStock(item, null, 3)).stock());

        assertEquals(3, sim.count(WooCommerceSimulator.PUT_PRODUCT));
        assertEquals(3, sim.stockOf("MUG-1"));
    }

    @Test
    void slowAnswerWithinTheTimeoutSucceeds() {
        sim.inject(Fault.latency(Duration.ofMillis(300)));

        assertEquals(25, await(client.findBySku("MUG-1")).stock());
        assertEquals(1, sim.count(WooCommerceSimulator.LIST_PRODUCTS));
    }

    @Test
    void hangingWooCommerceFailsWithTimeout() {
        sim.inject(Fault.hang().always());

        StorefrontException e = failure(client.findBySku("MUG-1"));

        assertEquals(StorefrontException.Kind.TIMEOUT, e.kind());
        assertEquals(4, sim.count(WooCommerceSimulator.LIST_PRODUCTS));
    }

    @Test
    void hangOnceIsRecoveredByTheRetry() {
        sim.inject(Fault.hang().on(WooCommerceSimulator.GET_PRODUCT));
        StorefrontItem item = await(client.findBySku("MUG-1"));

        assertEquals(25, await(client.readStock(item)).stock());
        assertEquals(2, sim.count(WooCommerceSimulator.GET_PRODUCT));
    }

    @Test
    void listsOrdersModifiedAfterInGmtAcrossPagesInIdOrder() {
        LocalDateTime recent = LocalDateTime.now(ZoneOffset.UTC).withNano(0).minusMinutes(1);
        for (int i = 0; i < 150; i++) {
            sim.addOrder("{\"id\": " + (1000 + i) + ", \"status\": \"processing\", \"date_modified_gmt\": \"" + recent
                    + "\", \"line_items\": []}");
        }
        sim.addOrder("{\"id\": 999, \"status\": \"completed\", \"date_modified_gmt\": \"" + recent.minusHours(3)
                + "\", \"line_items\": []}");

        // Read in the site's zone (UTC-5), an hour ago in GMT would be hours in the future: only dates_are_gmt finds them.
        List<StorefrontOrder> orders = await(client.ordersChangedSince(recent.minusHours(1).toInstant(ZoneOffset.UTC))
                .collect().asList());

        assertEquals(150, orders.size());
        assertEquals("1000", orders.get(0).id());
        assertEquals("1149", orders.get(149).id());
        assertEquals(recent.toInstant(ZoneOffset.UTC), orders.get(0).modifiedAt());
        assertEquals("processing", orders.get(0).json().get("status").asText());
        List<RecordedRequest> requests = sim.requests(WooCommerceSimulator.LIST_ORDERS);
        assertEquals(2, requests.size());
        assertTrue(requests.get(0).query().contains("dates_are_gmt=true"), requests.get(0).query());
        assertTrue(requests.get(1).query().contains("page=2"), requests.get(1).query());
    }
}
