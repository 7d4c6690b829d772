package ec.stocksync.webhook;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class WooCommerceWebhookTest {

    static final String ORDER = "woocommerce/order.json";

    @Inject
    Db db;

    long storeId;

    @BeforeEach
    void newStore() {
        storeId = Api.createWooStore();
    }

    ValidatableResponse deliver(String topic, byte[] body) {
        return given().contentType("application/json")
                .header("X-WC-Webhook-Source", "https://woo.example.com/")
                .header("X-WC-Webhook-Topic", topic)
                .header("X-WC-Webhook-Resource", "order")
                .header("X-WC-Webhook-Event", topic.substring(topic.indexOf('.') + 1))
                .header("X-WC-Webhook-ID", "12")
                .header("X-WC-Webhook-Delivery-ID", "abc")
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, body))
                .body(body).post("/webhooks/woocommerce/" + storeId).then();
    }

    /** The fixture order in another status, at a later modification time. */
    static byte[] orderIn(String status, String modifiedGmt) {
        return Fixtures.text(ORDER).replace("\"status\": \"processing\"", "\"status\": \"" + status + "\"")
                .replace("\"date_modified_gmt\": \"2017-03-22T19:28:08\"", "\"date_modified_gmt\": \"" + modifiedGmt + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    List<Row> movements() {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", storeId);
    }

    @Test
    void signatureMatchesTheFixtureTestVectors() {
        assertEquals("C2XXjtaYkMVQ2WwdUK/91vrHuVCGDeFZBu01Y3zIOB8=", WebhookSignature.sign(Api.WOO_SECRET, Fixtures.bytes(ORDER)));
        assertEquals("YbbiAKk0/gs3rgjT/YMGtUDR7aiDj/4MVIK9OLt27zM=",
                WebhookSignature.sign(Api.WOO_SECRET, "{\"id\":727}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aProcessingOrderBooksASaleForBar3AndRecordsTheLineWithoutSku() {
        deliver("order.created", Fixtures.bytes(ORDER))
                .statusCode(200)
                .body("outcome", equalTo("BOOKED"))
                .body("movementsCreated", equalTo(1))
                .body("skippedLines", hasSize(1))
                .body("skippedLines[0].lineId", equalTo("315"));
        List<Row> m = movements();
        assertEquals(1, m.size());
        assertEquals("Bar3", m.get(0).getString("sku"));
        assertEquals("SALE", m.get(0).getString("kind"));
        assertEquals(1, m.get(0).getInteger("quantity"));
        assertEquals("#727", m.get(0).getString("order_name"));
        String skipped = db.rows("SELECT skipped_lines::text FROM webhook_events WHERE store_id = $1", storeId).get(0).getString(0);
        assertEquals(true, skipped.contains("line has no SKU"), skipped);
    }

    @Test
    void theCreationPingGets200AndStoresNothing() {
        Map<String, Long> before = db.webhookTableCounts();
        given().contentType("application/x-www-form-urlencoded").body("webhook_id=12")
                .post("/webhooks/woocommerce/" + storeId).then().statusCode(200);
        assertEquals(before, db.webhookTableCounts());
    }

    @Test
    void anUnsignedDeliveryThatIsNotThePingIsRefused() {
        Map<String, Long> before = db.webhookTableCounts();
        given().contentType("application/json").header("X-WC-Webhook-Topic", "order.created")
                .body(Fixtures.bytes(ORDER)).post("/webhooks/woocommerce/" + storeId).then()
                .statusCode(401).body("error", equalTo("unauthenticated"));
        assertEquals(before, db.webhookTableCounts());
    }

    @Test
    void anUpdateThatKeepsTheOrderProcessingBooksNothingMore() {
        deliver("order.created", Fixtures.bytes(ORDER)).statusCode(200);
        deliver("order.updated", orderIn("completed", "2017-03-23T10:00:00")).statusCode(200)
                .body("outcome", equalTo("NOTHING_TO_BOOK"));
        assertEquals(1, movements().size());
    }

    @Test
    void theSameBodyTwiceIsADuplicate() {
        deliver("order.created", Fixtures.bytes(ORDER)).statusCode(200).body("status", equalTo("accepted"));
        deliver("order.created", Fixtures.bytes(ORDER)).statusCode(200).body("status", equalTo("duplicate"));
        assertEquals(1, movements().size());
    }

    @Test
    void cancellingASoldOrderRestocksWhatWasSoldOnceAndReopeningSellsAgain() {
        deliver("order.created", Fixtures.bytes(ORDER)).statusCode(200);
        deliver("order.updated", orderIn("cancelled", "2017-03-24T10:00:00")).statusCode(200).body("movementsCreated", equalTo(1));
        deliver("order.updated", orderIn("cancelled", "2017-03-24T10:05:00")).statusCode(200).body("movementsCreated", equalTo(0));
        deliver("order.updated", orderIn("processing", "2017-03-25T10:00:00")).statusCode(200).body("movementsCreated", equalTo(1));

        List<Row> m = movements();
        assertEquals(List.of("SALE", "RESTOCK", "SALE"), m.stream().map(r -> r.getString("kind")).toList());
        assertEquals(List.of("Bar3", "Bar3", "Bar3"), m.stream().map(r -> r.getString("sku")).toList());
    }

    @Test
    void aDeliveryOlderThanTheStateAlreadyAppliedIsIgnored() {
        deliver("order.updated", orderIn("cancelled", "2017-03-24T10:00:00")).statusCode(200);
        // The "processing" state of the 22nd arrives late: the order is already cancelled, nothing was ever sold.
        deliver("order.created", Fixtures.bytes(ORDER)).statusCode(200).body("outcome", equalTo("NOTHING_TO_BOOK"));
        assertEquals(0, movements().size());
    }

    @Test
    void checkoutDraftsMoveNoStock() {
        deliver("order.created", orderIn("checkout-draft", "2017-03-22T19:28:08")).statusCode(200)
                .body("outcome", equalTo("NOTHING_TO_BOOK"));
        assertEquals(0, movements().size());
    }

    @Test
    void aRefundedOrderRestocksOnlyWhenTheStoreSaysRefundsRestock() {
        deliver("order.created", Fixtures.bytes(ORDER)).statusCode(200);
        deliver("order.updated", orderIn("refunded", "2017-03-24T10:00:00")).statusCode(200).body("movementsCreated", equalTo(0));

        Api.admin().body(Map.of("refundsRestock", true)).patch("/api/stores/" + storeId).then().statusCode(200);
        deliver("order.updated", orderIn("refunded", "2017-03-24T11:00:00")).statusCode(200).body("movementsCreated", equalTo(1));
        assertEquals(List.of("SALE", "RESTOCK"), movements().stream().map(r -> r.getString("kind")).toList());
    }

    @Test
    void otherTopicsAreRecordedAndBookNothing() {
        deliver("product.updated", "{\"id\": 93}".getBytes(StandardCharsets.UTF_8)).statusCode(200)
                .body("outcome", equalTo("IGNORED_TOPIC"));
        assertEquals(0, movements().size());
    }

    @Test
    void aShopifyWebhookUrlDoesNotAcceptAWooCommerceStore() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        given().contentType("application/json").header("X-Shopify-Topic", "orders/create")
                .header("X-Shopify-Webhook-Id", "x").header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.WOO_SECRET, body))
                .body(body).post("/webhooks/shopify/" + storeId).then().statusCode(401).body("error", equalTo("unauthenticated"));
    }

    /** The fixture order, processing, modified at {@code modifiedGmt}, with these {@code sku=quantity} lines. */
    static byte[] orderWithLines(String modifiedGmt, String note, String... lines) {
        try {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var order = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(orderIn("processing", modifiedGmt));
            var items = mapper.createArrayNode();
            int id = 900;
            for (String line : lines) {
                String[] p = line.split("=");
                items.addObject().put("id", id++).put("name", p[0]).put("product_id", 93).put("variation_id", 0)
                        .put("quantity", Integer.parseInt(p[1])).put("sku", p[0]).put("price", 10);
            }
            order.set("line_items", items);
            order.put("customer_note", note);
            return mapper.writeValueAsBytes(order);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    List<String> booked() {
        return movements().stream().map(r -> r.getString("kind") + " " + r.getString("sku") + " " + r.getInteger("quantity")).toList();
    }

    @Test
    void anEditedOrderBooksExactlyTheDifferenceOnceHoweverOftenItIsDelivered() {
        deliver("order.created", orderWithLines("2017-03-22T19:28:08", "", "Bar3=1")).statusCode(200);
        // The shop adds two units of Bar3 and a new line of Baz9.
        byte[] edited = orderWithLines("2017-03-23T10:00:00", "", "Bar3=3", "Baz9=2");
        deliver("order.updated", edited).statusCode(200).body("movementsCreated", equalTo(2));
        // Delivered again, as is and with an unrelated change at the same moment: nothing more.
        deliver("order.updated", edited).statusCode(200).body("status", equalTo("duplicate"));
        deliver("order.updated", orderWithLines("2017-03-23T10:00:00", "llamar antes", "Bar3=3", "Baz9=2")).statusCode(200)
                .body("outcome", equalTo("NOTHING_TO_BOOK"));
        // Baz9 removed, Bar3 back to one.
        deliver("order.updated", orderWithLines("2017-03-24T10:00:00", "", "Bar3=1")).statusCode(200)
                .body("movementsCreated", equalTo(2));
        // An older state arriving late changes nothing.
        deliver("order.updated", orderWithLines("2017-03-23T12:00:00", "", "Bar3=7")).statusCode(200)
                .body("outcome", equalTo("NOTHING_TO_BOOK"));
        // Cancelled: what is booked now comes back, no more.
        deliver("order.updated", orderIn("cancelled", "2017-03-25T10:00:00")).statusCode(200).body("movementsCreated", equalTo(1));

        assertEquals(List.of("SALE Bar3 1", "SALE Bar3 2", "SALE Baz9 2", "RESTOCK Bar3 2", "RESTOCK Baz9 2", "RESTOCK Bar3 1"),
                booked());
    }

    /**
     * Two deliveries of one order racing, on the optimistic path: each reads the order's state without a lock, so the
     * second to write must find the state changed and decide again under the lock. Without that guard the later
     * delivery would save its state over the first one's sale, and the edit's extra unit would never be booked (its
     * sale shares the first one's business keys). Fifteen orders, each raced by two threads.
     */
    @Test
    void twoDeliveriesOfOneOrderRacingBookTheFinalQuantityOnce() throws Exception {
        List<Long> orderIds = new java.util.ArrayList<>();
        for (long id = 7001; id <= 7015; id++) {
            orderIds.add(id);
            // Pending: the order's state row exists, no stock moved yet.
            deliver("order.created", numbered(id, "pending", "2017-03-22T19:00:00", "Bar3=2")).statusCode(200);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2 * orderIds.size());
        try {
            List<java.util.concurrent.Callable<Integer>> calls = new java.util.ArrayList<>();
            for (long id : orderIds) {
                byte[] paid = numbered(id, "processing", "2017-03-22T19:05:00", "Bar3=2");
                byte[] edited = numbered(id, "processing", "2017-03-22T19:06:00", "Bar3=3");
                calls.add(() -> deliver("order.updated", paid).extract().statusCode());
                calls.add(() -> deliver("order.updated", edited).extract().statusCode());
            }
            for (java.util.concurrent.Future<Integer> f : pool.invokeAll(calls)) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdown();
        }
        for (long id : orderIds) {
            long units = db.count("""
                    SELECT coalesce(sum(CASE WHEN kind = 'SALE' THEN quantity ELSE -quantity END), 0)
                    FROM inventory_movements_queue WHERE store_id = $1 AND order_id = $2""", storeId, String.valueOf(id));
            assertEquals(3, units, "order " + id + " ends with three units of Bar3 sold, booked once");
        }
    }

    /** {@link #orderWithLines} as order {@code id} in {@code status}. */
    static byte[] numbered(long id, String status, String modifiedGmt, String... lines) {
        String json = new String(orderWithLines(modifiedGmt, "", lines), StandardCharsets.UTF_8);
        try {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var order = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json);
            order.put("id", id).put("number", String.valueOf(id)).put("status", status);
            return mapper.writeValueAsBytes(order);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLineThatCannotBeReadAfterAnEditIsNotTakenForARemoval() {
        deliver("order.created", orderWithLines("2017-03-22T19:28:08", "", "Bar3=2", "Baz9=1")).statusCode(200);
        byte[] broken = new String(orderWithLines("2017-03-23T10:00:00", "", "Bar3=2", "Baz9=1"), StandardCharsets.UTF_8)
                .replace("\"quantity\":1,", "\"quantity\":1.5,").getBytes(StandardCharsets.UTF_8);
        deliver("order.updated", broken).statusCode(200).body("movementsCreated", equalTo(0));
        assertEquals(List.of("SALE Bar3 2", "SALE Baz9 1"), booked());
    }

    /**
     * WooCommerce writes a line's SKU from the product as it is now: once the product is deleted or its SKU changed,
     * the sold line reads differently, though nobody edited the order. Nothing may be restocked for that.
     */
    @Test
    void aProductDeletedOrRenamedAfterTheSaleIsNotTakenForAnEdit() {
        deliver("order.created", orderWithLines("2017-03-22T19:28:08", "", "Bar3=2", "Baz9=1")).statusCode(200);
        // Baz9's product deleted: its line comes without a SKU when the order is completed.
        byte[] deleted = new String(orderWithLines("2017-03-23T10:00:00", "", "Bar3=2", "Baz9=1"), StandardCharsets.UTF_8)
                .replace("\"sku\":\"Baz9\"", "\"sku\":\"\"").getBytes(StandardCharsets.UTF_8);
        deliver("order.updated", deleted).statusCode(200).body("movementsCreated", equalTo(0))
                .body("note", org.hamcrest.Matchers.containsString("can no longer be read"));
        // Bar3 renamed to Bar3-N in the shop.
        deliver("order.updated", orderWithLines("2017-03-24T10:00:00", "", "Bar3-N=2", "Baz9=1")).statusCode(200)
                .body("movementsCreated", equalTo(0)).body("note", org.hamcrest.Matchers.containsString("now says Bar3-N"));
        // Cancelled: what was sold, under the codes it was sold as, comes back.
        deliver("order.updated", orderIn("cancelled", "2017-03-25T10:00:00")).statusCode(200).body("movementsCreated", equalTo(2));
        assertEquals(List.of("SALE Bar3 2", "SALE Baz9 1", "RESTOCK Bar3 2", "RESTOCK Baz9 1"), booked());
    }
}
