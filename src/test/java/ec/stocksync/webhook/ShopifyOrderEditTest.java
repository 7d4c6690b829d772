package ec.stocksync.webhook;

import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shopify {@code orders/edited}: each edit books exactly the units it added, once, whatever the order and number of
 * deliveries; removals restock through their refund only. Against the Shopify simulator, which applies edits to its
 * orders as Shopify does and answers the order read the resolver makes.
 */
@QuarkusTest
class ShopifyOrderEditTest {

    /** Above 2^53, as Shopify's are. */
    private static final AtomicLong IDS = new AtomicLong(9_150_000_000_000_000_000L);

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;

    ShopifySimulator shopify;
    long storeId;

    @BeforeEach
    void store() {
        shopify = sandbox.shopify();
        shopify.reset();
        storeId = sandbox.shopifyStoreOnly();
    }

    @AfterEach
    void clearFaults() {
        shopify.clearFaults();
    }

    /** An order of two lines (2 × A, 1 × B) in the simulator; answers its orders/create payload as delivered then. */
    String order(long id) {
        String body = """
                {"id": %d, "name": "#%d", "test": false, "line_items": [
                  {"id": %d, "sku": "EDIT-A", "quantity": 2, "current_quantity": 2, "gift_card": false, "variant_inventory_management": "shopify"},
                  {"id": %d, "sku": "EDIT-B", "quantity": 1, "current_quantity": 1, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                .formatted(id, id % 10000, id + 1, id + 2);
        shopify.addOrder(body);
        return body;
    }

    ValidatableResponse deliver(String topic, String body) {
        return Sandbox.deliverShopify(storeId, topic, body);
    }

    ValidatableResponse deliver(String topic, String body, String webhookId) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String shopDomain = Api.admin().get("/api/stores/" + storeId).then().extract().jsonPath().getString("shopDomain");
        return given().contentType("application/json").header("X-Shopify-Topic", topic)
                .header("X-Shopify-Shop-Domain", shopDomain).header("X-Shopify-Webhook-Id", webhookId)
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.SHOPIFY_SECRET, bytes))
                .body(bytes).post("/webhooks/shopify/" + storeId).then().statusCode(200);
    }

    void awaitResolved(String editId) {
        Sandbox.await("order edit " + editId + " resolved", Duration.ofSeconds(30), () -> db.count(
                "SELECT count(*) FROM shopify_order_edits WHERE store_id = $1 AND edit_id = $2 AND status <> 'PENDING'",
                storeId, editId) == 1);
    }

    /** Units booked per SKU and kind, e.g. {@code EDIT-A SALE=3}. */
    Map<String, Long> booked() {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : db.rows("SELECT sku, kind, sum(quantity) AS units FROM inventory_movements_queue WHERE store_id = $1"
                + " GROUP BY sku, kind", storeId)) {
            out.put(r.getString("sku") + " " + r.getString("kind"), r.getLong("units"));
        }
        return out;
    }

    List<Row> movements() {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", storeId);
    }

    String editStatus(String editId) {
        return db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1 AND edit_id = $2", storeId, editId)
                .get(0).getString(0);
    }

    @Test
    void aCopyOfAnEditDeliveredDuringTheFailingReadThatWouldGiveItUpKeepsItPendingAndItIsBookedOnceShopifyAnswers() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 1), 1).commit();
        shopify.inject(Fault.hang().on(ShopifySimulator.ORDER).always());
        deliver("orders/edited", edit.orderEditPayload());
        Sandbox.await("a failed read recorded", Duration.ofSeconds(30), () -> db.count("""
                SELECT count(*) FROM shopify_order_edits WHERE store_id = $1 AND attempts >= 1 AND claimed_until IS NULL
                  AND last_error IS NOT NULL""", storeId) == 1);
        // Days of failed reads: the next claim finds the edit past its age.
        db.rows("UPDATE shopify_order_edits SET pending_since = now() - interval '4 days', next_attempt_at = now()"
                + " WHERE store_id = $1", storeId);
        Sandbox.await("claimed again, its read hanging", Duration.ofSeconds(30), () -> db.count("""
                SELECT count(*) FROM shopify_order_edits WHERE store_id = $1 AND attempts >= 2 AND claimed_until > now()""",
                storeId) == 1);

        // Another subscription's copy arrives while that read fails.
        deliver("orders/edited", edit.orderEditPayload().replace(",", ", ")).body("outcome", equalTo("NOTHING_TO_BOOK"));
        Sandbox.await("the failed read handled", Duration.ofSeconds(30), () -> db.count(
                "SELECT count(*) FROM shopify_order_edits WHERE store_id = $1 AND claimed_until IS NULL", storeId) == 1);
        assertEquals("PENDING", editStatus(edit.editId()));

        shopify.clearFaults();
        db.rows("UPDATE shopify_order_edits SET next_attempt_at = now() WHERE store_id = $1", storeId);
        awaitResolved(edit.editId());
        assertEquals("DONE", editStatus(edit.editId()));
        assertEquals(Map.of("EDIT-A SALE", 3L, "EDIT-B SALE", 1L), booked());
    }

    @Test
    void anEditBooksASaleOfExactlyTheUnitsItAddedToALineAndOfANewLine() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id)).body("movementsCreated", equalTo(2));

        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id))
                .raise(String.valueOf(id + 1), 1).addLine("EDIT-C", 3).commit();
        deliver("orders/edited", edit.orderEditPayload())
                .body("outcome", equalTo("DEFERRED")).body("movementsCreated", equalTo(0));
        awaitResolved(edit.editId());

        assertEquals(Map.of("EDIT-A SALE", 3L, "EDIT-B SALE", 1L, "EDIT-C SALE", 3L), booked());
        List<Row> m = movements();
        assertEquals("shopify:order_edit:" + edit.editId() + ":line:" + (id + 1) + ":SALE", m.get(2).getString("business_key"));
        assertEquals("shopify:order_edit:" + edit.editId() + ":line:" + edit.newLineIds().get(0) + ":SALE",
                m.get(3).getString("business_key"));
        assertEquals(String.valueOf(id), m.get(3).getString("order_id"));
        Row event = db.rows("SELECT * FROM webhook_events WHERE id = $1", m.get(3).getLong("webhook_event_id")).get(0);
        assertEquals("orders/edited", event.getString("topic"));
        assertEquals("BOOKED", event.getString("outcome"));
        assertEquals(2, event.getInteger("movements_created"));
        assertEquals(1, shopify.requests(ShopifySimulator.ORDER).size(), "one read of the order per edit");
    }

    @Test
    void anEditOfAnOrderTakenAtALocationBooksItsUnitsAtThatLocation() {
        long id = IDS.addAndGet(10);
        String body = """
                {"id": %d, "name": "#%d", "test": false, "location_id": 7700001, "line_items": [
                  {"id": %d, "sku": "EDIT-A", "quantity": 2, "current_quantity": 2, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                .formatted(id, id % 10000, id + 1);
        shopify.addOrder(body);
        deliver("orders/create", body).body("movementsCreated", equalTo(1));

        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 1), 1).commit();
        deliver("orders/edited", edit.orderEditPayload()).body("outcome", equalTo("DEFERRED"));
        awaitResolved(edit.editId());

        List<Row> m = movements();
        assertEquals(2, m.size());
        assertEquals("shopify:order_edit:" + edit.editId() + ":line:" + (id + 1) + ":SALE", m.get(1).getString("business_key"));
        assertEquals("7700001", m.get(1).getString("storefront_location_id"));
    }

    @Test
    void anEditDeliveredAgainUnderAnotherWebhookIdOrReserializedBooksNothingMore() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 2).commit();
        String webhookId = UUID.randomUUID().toString();
        deliver("orders/edited", edit.orderEditPayload(), webhookId);
        awaitResolved(edit.editId());
        Map<String, Long> once = booked();

        deliver("orders/edited", edit.orderEditPayload(), webhookId).body("status", equalTo("duplicate"));
        deliver("orders/edited", edit.orderEditPayload()).body("status", equalTo("duplicate"));
        // Another subscription's copy: the same edit in other bytes.
        deliver("orders/edited", edit.orderEditPayload().replace(",", ", "))
                .body("status", equalTo("accepted")).body("outcome", equalTo("NOTHING_TO_BOOK"));

        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L, "EDIT-C SALE", 2L), once);
        assertEquals(once, booked());
        assertEquals(1, db.count("SELECT count(*) FROM shopify_order_edits WHERE store_id = $1", storeId));
    }

    @Test
    void anEditDeliveredBeforeItsOrderBooksTheOrderAndTheEditEachOnce() {
        long id = IDS.addAndGet(10);
        String created = order(id);
        ShopifySimulator.CommittedEdit first = shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 2), 2).commit();
        ShopifySimulator.CommittedEdit second = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 1).commit();

        deliver("orders/edited", second.orderEditPayload());
        deliver("orders/edited", first.orderEditPayload());
        awaitResolved(first.editId());
        awaitResolved(second.editId());
        // Shopify retries a delivery with its original payload: the order as it was created.
        deliver("orders/create", created);
        deliver("orders/create", created);

        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 3L, "EDIT-C SALE", 1L), booked());
    }

    @Test
    void aRemovalBooksNothingByItselfAndItsRestockingRefundRestocksTheUnitsOnce() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        ShopifySimulator.CommittedEdit restocked = shopify.editOrder(String.valueOf(id))
                .lower(String.valueOf(id + 1), 1, true).commit();
        ShopifySimulator.CommittedEdit notRestocked = shopify.editOrder(String.valueOf(id))
                .lower(String.valueOf(id + 2), 1, false).commit();

        deliver("orders/edited", restocked.orderEditPayload()).body("outcome", equalTo("NOTHING_TO_BOOK"));
        deliver("orders/edited", notRestocked.orderEditPayload()).body("outcome", equalTo("NOTHING_TO_BOOK"));
        deliver("refunds/create", restocked.refundPayload()).body("movementsCreated", equalTo(1));
        deliver("refunds/create", restocked.refundPayload()).body("status", equalTo("duplicate"));
        deliver("refunds/create", notRestocked.refundPayload()).body("outcome", equalTo("NOTHING_TO_BOOK"));

        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L, "EDIT-A RESTOCK", 1L), booked());
        assertEquals(0, db.count("SELECT count(*) FROM shopify_order_edits WHERE store_id = $1", storeId),
                "an edit that only removes has nothing to resolve");
    }

    @Test
    void anEditWhoseOrderCannotBeReadIsKeptAndBookedOnceShopifyAnswers() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 4).commit();

        deliver("orders/edited", edit.orderEditPayload()).statusCode(200).body("outcome", equalTo("DEFERRED"));
        Sandbox.await("a failed read recorded", Duration.ofSeconds(30), () -> db.count("""
                SELECT count(*) FROM shopify_order_edits
                WHERE store_id = $1 AND edit_id = $2 AND status = 'PENDING' AND last_error IS NOT NULL""",
                storeId, edit.editId()) == 1);
        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L), booked());

        shopify.clearFaults();
        awaitResolved(edit.editId());
        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L, "EDIT-C SALE", 4L), booked());
        assertEquals("DONE", db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1", storeId).get(0).getString(0));
    }

    /** Waits until a failed read of the edit's order is recorded (the edit PENDING, not claimed, an error kept). */
    void awaitFailedRead(String editId, int attempts) {
        Sandbox.await("a failed read recorded", Duration.ofSeconds(30), () -> db.count("""
                SELECT count(*) FROM shopify_order_edits
                WHERE store_id = $1 AND edit_id = $2 AND attempts >= $3 AND claimed_until IS NULL
                  AND last_error IS NOT NULL""", storeId, editId, attempts) == 1);
    }

    @Test
    void anEditWhoseOrderCannotBeReadMoreThanTenTimesIsStillRetriedAndBookedOnceShopifyAnswers() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 4).commit();
        deliver("orders/edited", edit.orderEditPayload()).body("outcome", equalTo("DEFERRED"));
        awaitFailedRead(edit.editId(), 1);

        // As after ten failed reads (about half an hour of backoff): the next read is the eleventh, and fails too.
        db.rows("UPDATE shopify_order_edits SET attempts = 10, next_attempt_at = now() WHERE store_id = $1", storeId);
        awaitFailedRead(edit.editId(), 11);
        assertEquals("PENDING", db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1", storeId)
                .get(0).getString(0));

        shopify.clearFaults();
        db.rows("UPDATE shopify_order_edits SET next_attempt_at = now() WHERE store_id = $1", storeId);
        awaitResolved(edit.editId());
        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L, "EDIT-C SALE", 4L), booked());
    }

    @Test
    void anEditGivenUpAfterDaysOfFailedReadsSaysSoAndAnotherCopyOfItsWebhookRevivesItToBookOnce() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 2).commit();
        long firstEvent = deliver("orders/edited", edit.orderEditPayload()).extract().jsonPath().getLong("webhookEventId");
        awaitFailedRead(edit.editId(), 1);

        db.rows("UPDATE shopify_order_edits SET pending_since = now() - interval '4 days', next_attempt_at = now()"
                + " WHERE store_id = $1", storeId);
        awaitResolved(edit.editId());
        assertEquals("FAILED", db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1", storeId)
                .get(0).getString(0));
        Row given = db.rows("SELECT outcome, note FROM webhook_events WHERE id = $1", firstEvent).get(0);
        assertEquals("GIVEN_UP", given.getString("outcome"));
        assertTrue(given.getString("note").contains("given up"), given.getString("note"));

        shopify.clearFaults();
        // Another subscription's copy of the same edit, in other bytes.
        deliver("orders/edited", edit.orderEditPayload().replace(",", ", ")).body("outcome", equalTo("DEFERRED"));
        awaitResolved(edit.editId());
        deliver("orders/edited", edit.orderEditPayload().replaceFirst("\\{", "{ ")).body("outcome", equalTo("NOTHING_TO_BOOK"));

        assertEquals("DONE", db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1", storeId)
                .get(0).getString(0));
        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L, "EDIT-C SALE", 2L), booked());
    }

    @Test
    void anEditResolvedASecondTimeAfterItsClaimExpiredBooksNothingMore() {
        long id = IDS.addAndGet(10);
        deliver("orders/create", order(id));
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 2).commit();
        deliver("orders/edited", edit.orderEditPayload());
        awaitResolved(edit.editId());

        // As if a replica whose claim expired mid-read got the edit again: it reads and books a second time.
        db.rows("UPDATE shopify_order_edits SET status = 'PENDING', claimed_until = NULL, next_attempt_at = now()"
                + " WHERE store_id = $1", storeId);
        awaitResolved(edit.editId());

        assertEquals(Map.of("EDIT-A SALE", 2L, "EDIT-B SALE", 1L, "EDIT-C SALE", 2L), booked());
        assertTrue(shopify.requests(ShopifySimulator.ORDER).size() >= 2, "the order was read again");
    }

    @Test
    void anEditOfATestOrderBooksNothing() {
        long id = IDS.addAndGet(10);
        shopify.addOrder(order(id).replace("\"test\": false", "\"test\": true"));
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("EDIT-C", 2).commit();
        deliver("orders/edited", edit.orderEditPayload());
        awaitResolved(edit.editId());

        assertEquals(Map.of(), booked());
        Row event = db.rows("SELECT outcome FROM webhook_events WHERE store_id = $1 AND topic = 'orders/edited'", storeId).get(0);
        assertEquals("IGNORED_TEST_ORDER", event.getString(0));
    }

    @Test
    void aMalformedEditIsRefusedAndRecordsNothing() {
        deliver400("{\"order_edit\": {\"id\": 1, \"order_id\": 2}}");
        deliver400("{\"order_edit\": {\"id\": 1, \"created_at\": \"2026-12-01T10:00:00-05:00\"}}");
        assertEquals(0, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", storeId));
    }

    private void deliver400(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String shopDomain = Api.admin().get("/api/stores/" + storeId).then().extract().jsonPath().getString("shopDomain");
        given().contentType("application/json").header("X-Shopify-Topic", "orders/edited")
                .header("X-Shopify-Shop-Domain", shopDomain).header("X-Shopify-Webhook-Id", UUID.randomUUID().toString())
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.SHOPIFY_SECRET, bytes))
                .body(bytes).post("/webhooks/shopify/" + storeId).then().statusCode(400);
    }
}
