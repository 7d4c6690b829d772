package ec.stocksync.storefront;

import ec.stocksync.store.Store;
import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.RecordedRequest;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static ec.stocksync.sandbox.storefront.ShopifySimulator.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ShopifyClientContractTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ShopifySimulator sim;
    @Inject
    StorefrontClients clients;

    StorefrontClient client;

    @BeforeEach
    void seed() {
        sim.reset();
        sim.addProduct("T-Shirt", variant("TS-M", "M", 10), variant("TS-M-TALL", "M Tall", 4), variant("TS-L", "L", 0));
        sim.addProduct("Mug", variant("MUG-1", "Default Title", 25));
        client = clients.forStore(store(sim.accessToken(), sim.locationId()));
    }

    private Store store(String token, String location) {
        Store store = new Store();
        store.platform = "shopify";
        store.shopDomain = "sandbox.myshopify.com";
        store.apiBaseUrl = sim.baseUrl();
        store.accessToken = token;
        store.locationId = location;
        return store;
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    private static StorefrontException failure(Uni<?> uni) {
        return assertThrows(StorefrontException.class, () -> await(uni));
    }

    @Test
    void findsTheVariantWithExactlyThatSkuAmongPrefixMatches() {
        StorefrontItem item = await(client.findBySku("TS-M"));

        ShopifySimulator.Variant expected = sim.variantBySku("TS-M");
        assertEquals("TS-M", item.sku());
        assertEquals(expected.id, item.variantId());
        assertEquals(expected.productId, item.productId());
        assertEquals(expected.inventoryItemId, item.inventoryItemId());
        assertEquals(10, item.stock());
        assertTrue(item.managed());
        assertEquals("T-Shirt - M", item.name());
        RecordedRequest request = sim.requests(ShopifySimulator.PRODUCT_VARIANTS).get(0);
        assertTrue(request.path().startsWith("/admin/api/2026-04/graphql.json"), request.path());
        assertEquals("sku:\"TS-M\"", new JsonObject(request.body()).getJsonObject("variables").getString("query"));
    }

    @Test
    void acceptsTheLocationAsGidAsWellAsNumericId() {
        StorefrontClient byGid = clients.forStore(store(sim.accessToken(), sim.locationGid()));
        assertEquals(25, await(byGid.findBySku("MUG-1")).stock());
    }

    @Test
    void unknownSkuFailsAsNotFound() {
        StorefrontException e = failure(client.findBySku("NOPE"));
        assertEquals(StorefrontException.Kind.NOT_FOUND, e.kind());
        assertEquals(false, e.retryable());
    }

    @Test
    void readStockSeesChangesMadeOnShopify() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.setAvailable("MUG-1", 17);

        assertEquals(17, await(client.readStock(item)).stock());
        assertEquals(1, sim.count(ShopifySimulator.INVENTORY_ITEM));
    }

    @Test
    void setStockIsACompareAndSetCarryingAnIdempotencyKey() {
        StorefrontItem item = await(client.findBySku("MUG-1"));

        StorefrontItem written = await(client.setStock(item, 25, 20));

        assertEquals(20, written.stock());
        assertEquals(20, sim.available("MUG-1"));
        RecordedRequest request = sim.requests(ShopifySimulator.SET_QUANTITIES).get(0);
        JsonObject body = new JsonObject(request.body());
        assertTrue(body.getString("query").contains("@idempotent(key: $idempotencyKey)"));
        assertEquals(36, body.getJsonObject("variables").getString("idempotencyKey").length());
        JsonObject input = body.getJsonObject("variables").getJsonObject("input");
        assertEquals("available", input.getString("name"));
        assertEquals("correction", input.getString("reason"));
        JsonObject quantity = input.getJsonArray("quantities").getJsonObject(0);
        assertEquals(25, quantity.getInteger("changeFromQuantity"));
        assertEquals(20, quantity.getInteger("quantity"));
        assertEquals(item.inventoryItemId(), quantity.getString("inventoryItemId"));
        assertEquals(sim.locationGid(), quantity.getString("locationId"));
    }

    @Test
    void nullExpectationOptsOutOfTheCompareButStillSendsTheField() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.setAvailable("MUG-1", 3);

        assertEquals(9, await(client.setStock(item, null, 9)).stock());

        assertEquals(9, sim.available("MUG-1"));
        JsonObject quantity = new JsonObject(sim.requests(ShopifySimulator.SET_QUANTITIES).get(0).body())
                .getJsonObject("variables").getJsonObject("input").getJsonArray("quantities").getJsonObject(0);
        assertTrue(quantity.containsKey("changeFromQuantity"));
        assertNull(quantity.getValue("changeFromQuantity"));
    }

    @Test
    void staleCompareAndSetKeepsTheSaleThatHappenedSinceTheRead() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.setAvailable("MUG-1", 22); // 3 sold after we looked

        StorefrontItem written = await(client.setStock(item, 25, 30));

        // Writing 30 would put the 3 sold units back on sale: the target moves with them.
        assertEquals(27, written.stock());
        assertEquals(27, sim.available("MUG-1"));
        List<RecordedRequest> mutations = sim.requests(ShopifySimulator.SET_QUANTITIES);
        assertEquals(2, mutations.size());
        assertEquals(1, sim.count(ShopifySimulator.INVENTORY_ITEM));
        JsonObject second = new JsonObject(mutations.get(1).body()).getJsonObject("variables");
        assertEquals(22, second.getJsonObject("input").getJsonArray("quantities").getJsonObject(0).getInteger("changeFromQuantity"));
        assertNotEquals(new JsonObject(mutations.get(0).body()).getJsonObject("variables").getString("idempotencyKey"),
                second.getString("idempotencyKey"));
        assertEquals(1, sim.stockWrites().size());
    }

    @Test
    void stockThatKeepsMovingEndsInConflictAfterTheBoundedStaleRetries() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.sellOneBeforeEachWrite("MUG-1", 10);

        StorefrontException e = failure(client.setStock(item, 25, 5));

        assertEquals(StorefrontException.Kind.CONFLICT, e.kind());
        assertEquals("CHANGE_FROM_QUANTITY_STALE", e.code());
        assertEquals(false, e.retryable());
        assertEquals(4, sim.count(ShopifySimulator.SET_QUANTITIES)); // first try + stale-retries 3
        assertEquals(21, sim.available("MUG-1")); // only the simulated sales, never our write
        assertTrue(sim.stockWrites().isEmpty());
    }

    @Test
    void retriedMutationReusesItsIdempotencyKeySoShopifyAppliesItOnce() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.inject(Fault.error500().on(ShopifySimulator.SET_QUANTITIES));

        assertEquals(11, await(client.setStock(item, 25, 11)).stock());

        List<RecordedRequest> mutations = sim.requests(ShopifySimulator.SET_QUANTITIES);
        assertEquals(2, mutations.size());
        assertEquals(new JsonObject(mutations.get(0).body()).getJsonObject("variables").getString("idempotencyKey"),
                new JsonObject(mutations.get(1).body()).getJsonObject("variables").getString("idempotencyKey"));
        assertEquals(11, sim.available("MUG-1"));
        assertEquals(1, sim.stockWrites().size());
    }

    @Test
    void batchWritesSeveralQuantitiesInOneMutation() {
        List<StockWrite> writes = new ArrayList<>();
        for (String sku : List.of("TS-M", "TS-L", "MUG-1")) {
            StorefrontItem item = await(client.findBySku(sku));
            writes.add(new StockWrite(item, item.stock(), 50 + writes.size()));
        }

        List<StockWriteResult> results = await(client.setStocks(writes));

        assertEquals(3, results.size());
        assertTrue(results.stream().allMatch(StockWriteResult::ok));
        assertEquals(List.of(50, 51, 52), results.stream().map(StockWriteResult::written).toList());
        assertEquals(1, sim.count(ShopifySimulator.SET_QUANTITIES));
        assertEquals(50, sim.available("TS-M"));
        assertEquals(51, sim.available("TS-L"));
        assertEquals(52, sim.available("MUG-1"));
    }

    @Test
    void batchWithAStaleQuantityFallsBackToPerItemWrites() {
        StorefrontItem shirt = await(client.findBySku("TS-M"));
        StorefrontItem mug = await(client.findBySku("MUG-1"));
        sim.setAvailable("MUG-1", 20);

        List<StockWriteResult> results = await(client.setStocks(List.of(new StockWrite(shirt, 10, 7), new StockWrite(mug, 25, 8))));

        assertTrue(results.stream().allMatch(StockWriteResult::ok), results.toString());
        assertEquals(7, sim.available("TS-M"));
        assertEquals(3, sim.available("MUG-1"), "the 5 sold since the read stay sold");
        assertEquals(3, results.get(1).written());
        // the refused batch, then one write per item, the stale one twice
        assertEquals(4, sim.count(ShopifySimulator.SET_QUANTITIES));
    }

    @Test
    void catalogueIsPagedToTheEnd() {
        sim.reset();
        for (int p = 0; p < 46; p++) {
            sim.addProduct("Product " + p, variant("P" + p + "-A", "A", p), variant("P" + p + "-B", "B", p),
                    variant("P" + p + "-C", "C", p), variant("P" + p + "-D", "D", p), variant("P" + p + "-E", "E", p));
        }
        sim.addProduct("No SKU", variant("", "Default Title", 1));

        List<StorefrontItem> items = client.catalogue().collect().asList().await().atMost(WAIT);

        assertEquals(230, items.size());
        assertEquals(230, items.stream().map(StorefrontItem::sku).distinct().count());
        assertEquals(3, sim.count(ShopifySimulator.PRODUCT_VARIANTS));
        assertEquals(45, items.stream().filter(i -> i.sku().equals("P45-E")).findFirst().orElseThrow().stock());
    }

    @Test
    void wrongTokenFailsAsAuthWithoutRetrying() {
        StorefrontClient wrong = clients.forStore(store("shpat_wrong", sim.locationId()));

        StorefrontException e = failure(wrong.findBySku("MUG-1"));

        assertEquals(StorefrontException.Kind.AUTH, e.kind());
        assertEquals(401, e.httpStatus());
        assertEquals(1, sim.requests().size());
    }

    @Test
    void http429IsRetriedAfterTheRetryAfterDelay() {
        sim.inject(Fault.rateLimited(Duration.ofMillis(700)));
        long start = System.nanoTime();

        assertEquals(25, await(client.findBySku("MUG-1")).stock());

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 700);
        assertEquals(2, sim.count(ShopifySimulator.PRODUCT_VARIANTS));
    }

    @Test
    void throttledIsRetriedOnceTheCostBucketHasRefilled() {
        StorefrontItem item = await(client.findBySku("MUG-1"));
        sim.inject(Fault.throttled(Duration.ofMillis(600)).on(ShopifySimulator.SET_QUANTITIES));
        long start = System.nanoTime();

        assertEquals(5, await(client.setStock(item, 25, 5)).stock());

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 600);
        assertEquals(2, sim.count(ShopifySimulator.SET_QUANTITIES));
        assertEquals(5, sim.available("MUG-1"));
    }

    @Test
    void serverErrorsAreRetried() {
        sim.inject(Fault.error500().times(2));

        assertEquals(10, await(client.findBySku("TS-M")).stock());
        assertEquals(3, sim.count(ShopifySimulator.PRODUCT_VARIANTS));
    }

    @Test
    void droppedConnectionIsRetried() {
        sim.inject(Fault.dropConnection());

        assertEquals(10, await(client.findBySku("TS-M")).stock());
        assertEquals(2, sim.count(ShopifySimulator.PRODUCT_VARIANTS));
    }

    @Test
    void persistentServerErrorsGiveUpAsUnavailableAfterTheRetryBudget() {
        sim.inject(Fault.error500().always());

        StorefrontException e = failure(client.findBySku("TS-M"));

        assertEquals(StorefrontException.Kind.UNAVAILABLE, e.kind());
        assertEquals(500, e.httpStatus());
        assertEquals(4, sim.count(ShopifySimulator.PRODUCT_VARIANTS)); // 1 + max-retries 3 in %test
    }

    @Test
    void hangingShopifyFailsWithTimeout() {
        sim.inject(Fault.hang().always());
        long start = System.nanoTime();

        StorefrontException e = failure(client.findBySku("TS-M"));

        assertEquals(StorefrontException.Kind.TIMEOUT, e.kind());
        assertTrue(e.retryable());
        assertEquals(4, sim.count(ShopifySimulator.PRODUCT_VARIANTS));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15);
    }

    @Test
    void storeWithoutLocationIsRefusedBeforeAnyCall() {
        StorefrontException e = failure(clients.forStore(store(sim.accessToken(), null)).findBySku("TS-M"));

        assertEquals(StorefrontException.Kind.REJECTED, e.kind());
        assertEquals("no_location", e.code());
        assertEquals(0, sim.requests().size());
    }

    @Test
    void refusedWriteSurfacesTheUserError() {
        StorefrontItem ghost = new StorefrontItem("GHOST", "Ghost", "gid://shopify/Product/1", "gid://shopify/ProductVariant/1",
                "gid://shopify/InventoryItem/999999", 1, true);

        StorefrontException e = failure(client.setStock(ghost, null, 4));

        assertEquals(StorefrontException.Kind.REJECTED, e.kind());
        assertEquals("INVALID_INVENTORY_ITEM", e.code());
        assertEquals(1, sim.count(ShopifySimulator.SET_QUANTITIES));
    }

    @Test
    void listsOrdersChangedSinceAcrossLinkHeaderPagesKeepingIdsAbove2To53Exact() {
        OffsetDateTime recent = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).minusMinutes(1);
        long firstId = 9_007_199_254_740_993L; // 2^53 + 1: a double would round it
        for (int i = 0; i < 260; i++) {
            sim.addOrder("{\"id\": " + (firstId + i) + ", \"updated_at\": \"" + recent + "\", \"line_items\": []}");
        }
        sim.addOrder("{\"id\": 1, \"updated_at\": \"" + recent.minusDays(2) + "\", \"line_items\": []}");

        List<StorefrontOrder> orders = await(client.ordersChangedSince(recent.minusHours(1).toInstant()).collect().asList());

        assertEquals(260, orders.size());
        assertEquals(String.valueOf(firstId), orders.get(0).id());
        assertEquals(String.valueOf(firstId + 259), orders.get(259).json().get("id").asText());
        assertEquals(recent.toInstant(), orders.get(0).modifiedAt());
        List<RecordedRequest> requests = sim.requests(ShopifySimulator.ORDERS);
        assertEquals(2, requests.size());
        assertTrue(requests.get(0).query().contains("status=any"), requests.get(0).query());
        assertTrue(requests.get(0).query().contains("updated_at_min="), requests.get(0).query());
        assertTrue(requests.get(1).query().startsWith("limit=250&page_info="), requests.get(1).query());
    }

    @Test
    void listingOrdersWithARefusedTokenFailsAsAuth() {
        sim.addOrder("{\"id\": 5, \"line_items\": []}");
        sim.accessToken("shpat_rotated");

        StorefrontException e = failure(client.ordersChangedSince(Instant.now().minusSeconds(3600)).collect().asList());

        assertEquals(StorefrontException.Kind.AUTH, e.kind());
    }
}
