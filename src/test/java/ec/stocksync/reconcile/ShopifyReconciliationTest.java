package ec.stocksync.reconcile;

import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.RecordedRequest;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ShopifyReconciliationTest {

    /** Above 2^53, as Shopify's are. */
    private static final AtomicLong IDS = new AtomicLong(9_100_000_000_000_000_000L);

    @Inject
    ShopifySimulator shopify;
    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    Pool pool;

    long storeId;

    @BeforeEach
    void store() {
        shopify.reset();
        storeId = sandbox.shopifyStoreOnly();
    }

    @AfterEach
    void clearFaults() {
        shopify.clearFaults();
    }

    static String order(long id, String sku, int quantity, String extra) {
        return """
                {"id": %d, "name": "#%d", "test": false, %s"line_items": [
                  {"id": %d, "sku": "%s", "quantity": %d, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                .formatted(id, id % 10000, extra, id + 1, sku, quantity);
    }

    static String updatedAt(OffsetDateTime t) {
        return "\"updated_at\": \"" + t.withNano(0) + "\", ";
    }

    JsonPath reconcile() {
        return Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(200).extract().jsonPath();
    }

    void deliverWebhook(String topic, String body) {
        Sandbox.deliverShopify(storeId, topic, body);
    }

    List<Row> movements() {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", storeId);
    }

    void setWatermark(OffsetDateTime t) {
        db.rows("INSERT INTO reconciliation_state (store_id, reconciled_through) VALUES ($1, $2)", storeId, t);
    }

    @Test
    void aSaleWhoseWebhookNeverArrivedIsBookedPendingWithTheWebhooksBusinessKey() {
        long id = IDS.incrementAndGet();
        shopify.addOrder(order(id, "REC-1", 2, ""));

        JsonPath summary = reconcile();

        assertEquals("DONE", summary.getString("status"));
        assertEquals(1, summary.getInt("ordersRead"));
        assertEquals(1, summary.getInt("ordersBooked"));
        assertEquals(1, summary.getInt("movementsBooked"));
        assertEquals(0, summary.getInt("errors"));
        List<Row> m = movements();
        assertEquals(1, m.size());
        assertEquals("shopify:order:" + id + ":sku:REC-1:SALE", m.get(0).getString("business_key"));
        assertEquals("PENDING", m.get(0).getString("status"));
        assertEquals("SALE", m.get(0).getString("kind"));
        assertEquals(2, m.get(0).getInteger("quantity"));
        Row event = db.rows("SELECT * FROM webhook_events WHERE id = $1", m.get(0).getLong("webhook_event_id")).get(0);
        assertEquals("reconcile/order", event.getString("topic"));
        assertTrue(event.getString("dedupe_key").startsWith("reconcile:shopify:order:" + id + ":"), event.getString("dedupe_key"));
        RecordedRequest listing = shopify.requests(ShopifySimulator.ORDERS).get(0);
        assertTrue(listing.query().contains("status=any") && listing.query().contains("updated_at_min="), listing.query());
    }

    @Test
    void aSaleWhoseWebhookArrivedBooksNothingMore() {
        long id = IDS.incrementAndGet();
        String body = order(id, "REC-2", 1, "");
        deliverWebhook("orders/create", body);
        shopify.addOrder(body);

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("ordersRead"));
        assertEquals(0, summary.getInt("movementsBooked"));
        assertEquals(1, summary.getInt("alreadyBooked"));
        assertEquals(1, movements().size());
        // Only the webhook's own event: a reconciliation that booked nothing leaves no row behind.
        assertEquals(1, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", storeId));
    }

    /** Units booked per SKU and kind, e.g. {@code REC-E SALE=3}. */
    java.util.Map<String, Long> booked() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (Row r : db.rows("SELECT sku, kind, sum(quantity) AS units FROM inventory_movements_queue WHERE store_id = $1"
                + " GROUP BY sku, kind", storeId)) {
            out.put(r.getString("sku") + " " + r.getString("kind"), r.getLong("units"));
        }
        return out;
    }

    void awaitEditResolved(String editId) {
        Sandbox.await("order edit " + editId + " resolved", Duration.ofSeconds(30), () -> db.count(
                "SELECT count(*) FROM shopify_order_edits WHERE store_id = $1 AND edit_id = $2 AND status <> 'PENDING'",
                storeId, editId) == 1);
    }

    /** An order of 2 × REC-E in the simulator, then edited: its line raised by 1 and a new line of 2 × REC-F. */
    ShopifySimulator.CommittedEdit editedOrder(long id) {
        shopify.addOrder(order(id, "REC-E", 2, ""));
        return shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 1), 1).addLine("REC-F", 2).commit();
    }

    /** An order of 2 × REC-E in the simulator whose orders/create arrived. */
    void soldOrder(long id) {
        String created = order(id, "REC-E", 2, "");
        shopify.addOrder(created);
        deliverWebhook("orders/create", created);
    }

    /** {@link #soldOrder}, then edited as in {@link #editedOrder}. */
    ShopifySimulator.CommittedEdit soldThenEdited(long id) {
        soldOrder(id);
        return shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 1), 1).addLine("REC-F", 2).commit();
    }

    /** Shopify answers again and the edit's retry is due now: waits until the resolver has settled it. */
    void resolveNow(String editId) {
        shopify.clearFaults();
        db.rows("UPDATE shopify_order_edits SET next_attempt_at = now() WHERE store_id = $1", storeId);
        awaitEditResolved(editId);
    }

    @Test
    void aLostSaleOfAnOrderWhoseEditWasBookedBooksOnlyTheUnitsTheOrderWasCreatedWith() {
        long id = IDS.addAndGet(10);
        ShopifySimulator.CommittedEdit edit = editedOrder(id);
        deliverWebhook("orders/edited", edit.orderEditPayload());
        awaitEditResolved(edit.editId());
        assertEquals(java.util.Map.of("REC-E SALE", 1L, "REC-F SALE", 2L), booked());

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
        assertEquals(0, reconcile().getInt("movementsBooked"));
    }

    @Test
    void anEditDeliveredAfterAReconciliationThatCountedItBooksNothingMore() {
        long id = IDS.addAndGet(10);
        ShopifySimulator.CommittedEdit edit = editedOrder(id);
        // Both webhooks lost: the reconciliation reads the order as it is now, the edit's units included.
        assertEquals(2, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());

        // Shopify's retry of the edit arrives later.
        deliverWebhook("orders/edited", edit.orderEditPayload());
        awaitEditResolved(edit.editId());

        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
        String note = db.rows("SELECT skipped_lines::text FROM webhook_events WHERE store_id = $1 AND topic = 'orders/edited'",
                storeId).get(0).getString(0);
        assertTrue(note.contains("already counted"), note);
    }

    @Test
    void anEditTheReconciliationTookOutOfTheOrderIsStillBookedByItsOwnResolution() {
        long id = IDS.addAndGet(10);
        ShopifySimulator.CommittedEdit edit = editedOrder(id);
        // The edit is recorded but its order cannot be read yet: it is still PENDING when the reconciliation runs.
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        deliverWebhook("orders/edited", edit.orderEditPayload());

        assertEquals(1, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 2L), booked());

        resolveNow(edit.editId());
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
    }

    @Test
    void anEditWhoseWebhookWasLostIsBookedByTheNextReconciliationOnce() {
        long id = IDS.addAndGet(10);
        ShopifySimulator.CommittedEdit edit = soldThenEdited(id);

        // orders/edited never arrived.
        assertEquals(2, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
        assertEquals(0, reconcile().getInt("movementsBooked"));

        // Shopify's retry arrives after all.
        deliverWebhook("orders/edited", edit.orderEditPayload());
        awaitEditResolved(edit.editId());
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
    }

    /**
     * Shopify's updated_at has whole seconds, and a reconciliation's dedupe key is the order's updated_at: an edit in
     * the same second as the previous read would look like the same read.
     */
    static void nextSecond() {
        long now = System.currentTimeMillis();
        try {
            Thread.sleep(1000 - now % 1000 + 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anEditLostAfterALateEditTheReconciliationHadCountedIsBookedByTheNextReconciliation() {
        long id = IDS.addAndGet(10);
        soldOrder(id);
        ShopifySimulator.CommittedEdit late = shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 1), 1).commit();
        // The edit's webhook is late: the reconciliation finds its unit first, then the edit books nothing.
        assertEquals(1, reconcile().getInt("movementsBooked"));
        deliverWebhook("orders/edited", late.orderEditPayload());
        awaitEditResolved(late.editId());
        assertEquals(java.util.Map.of("REC-E SALE", 3L), booked());

        // A second edit whose webhook is lost.
        nextSecond();
        shopify.editOrder(String.valueOf(id)).raise(String.valueOf(id + 1), 1).commit();

        assertEquals(1, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 4L), booked());
        assertEquals(0, reconcile().getInt("movementsBooked"));
    }

    @Test
    void unitsOfALostEditFoundWhileAnEditTheFirstRunCountedWasPendingAreAllBookedWhenTheLineKeepsItsQuantity() {
        long id = IDS.addAndGet(10);
        String line = String.valueOf(id + 1);
        soldOrder(id);
        // Edit E (+1): its webhook late; the first run finds its unit.
        ShopifySimulator.CommittedEdit late = shopify.editOrder(String.valueOf(id)).raise(line, 1).commit();
        assertEquals(1, reconcile().getInt("movementsBooked"));
        // E's webhook arrives while the order cannot be read: E stays PENDING.
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        deliverWebhook("orders/edited", late.orderEditPayload());
        // A lost edit (+3): the second run takes out E's unit as E's and the first run's unit as found: 2 of 3 booked.
        nextSecond();
        shopify.editOrder(String.valueOf(id)).raise(line, 3).commit();
        assertEquals(1, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 5L), booked());
        // E resolves and finds its unit counted by the first run: it books nothing.
        resolveNow(late.editId());
        assertEquals(java.util.Map.of("REC-E SALE", 5L), booked());

        // The order changes elsewhere (a lost edit adds another line); the REC-E line still holds 6.
        nextSecond();
        shopify.editOrder(String.valueOf(id)).addLine("REC-X", 1).commit();
        reconcile();

        assertEquals(java.util.Map.of("REC-E SALE", 6L, "REC-X SALE", 1L), booked());
        nextSecond();
        shopify.editOrder(String.valueOf(id)).addLine("REC-Y", 1).commit();
        reconcile();
        assertEquals(java.util.Map.of("REC-E SALE", 6L, "REC-X SALE", 1L, "REC-Y SALE", 1L), booked());
    }

    @Test
    void anEditTwoReconciliationsTookOutIsStillBookedByItsOwnResolution() {
        long id = IDS.addAndGet(10);
        // orders/create is lost; the edit adds a line and its order cannot be read yet: PENDING through both runs.
        shopify.addOrder(order(id, "REC-E", 2, ""));
        ShopifySimulator.CommittedEdit edit = shopify.editOrder(String.valueOf(id)).addLine("REC-F", 2).commit();
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        deliverWebhook("orders/edited", edit.orderEditPayload());
        assertEquals(1, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 2L), booked());

        // A second edit raises the new line, its webhook lost: the next run books that unit as the line's sale.
        nextSecond();
        shopify.editOrder(String.valueOf(id)).raise(edit.newLineIds().get(0), 1).commit();
        assertEquals(1, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 2L, "REC-F SALE", 1L), booked());

        resolveNow(edit.editId());
        assertEquals(java.util.Map.of("REC-E SALE", 2L, "REC-F SALE", 3L), booked());
    }

    @Test
    void anEditGivenUpIsBookedByTheNextReconciliationAndAnotherCopyOfItsWebhookBooksNothingMore() {
        long id = IDS.addAndGet(10);
        ShopifySimulator.CommittedEdit edit = soldThenEdited(id);
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDER).always());
        deliverWebhook("orders/edited", edit.orderEditPayload());
        Sandbox.await("a failed read recorded", Duration.ofSeconds(30), () -> db.count(
                "SELECT count(*) FROM shopify_order_edits WHERE store_id = $1 AND last_error IS NOT NULL"
                        + " AND claimed_until IS NULL", storeId) == 1);
        // Days of failed reads: the edit is given up.
        db.rows("UPDATE shopify_order_edits SET pending_since = now() - interval '4 days', next_attempt_at = now()"
                + " WHERE store_id = $1", storeId);
        awaitEditResolved(edit.editId());
        assertEquals("FAILED", db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1", storeId)
                .get(0).getString(0));
        shopify.clearFaults();

        // The reconciliation does not count on a given-up edit: it books the edit's units itself.
        assertEquals(2, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());

        // Another subscription's copy revives the edit, which finds its units counted.
        deliverWebhook("orders/edited", edit.orderEditPayload().replace(",", ", "));
        awaitEditResolved(edit.editId());
        assertEquals("DONE", db.rows("SELECT status FROM shopify_order_edits WHERE store_id = $1", storeId)
                .get(0).getString(0));
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
        assertEquals(0, reconcile().getInt("movementsBooked"));
    }

    @Test
    void anOrderWhoseSaleAndEditArrivedBooksNothingOnReconciliation() {
        long id = IDS.addAndGet(10);
        ShopifySimulator.CommittedEdit edit = soldThenEdited(id);
        deliverWebhook("orders/edited", edit.orderEditPayload());
        awaitEditResolved(edit.editId());

        assertEquals(0, reconcile().getInt("movementsBooked"));
        assertEquals(java.util.Map.of("REC-E SALE", 3L, "REC-F SALE", 2L), booked());
    }

    @Test
    void reconcilingTwiceBooksNothingTheSecondTime() {
        shopify.addOrder(order(IDS.incrementAndGet(), "REC-3", 4, ""));
        assertEquals(1, reconcile().getInt("movementsBooked"));

        JsonPath second = reconcile();

        assertEquals(1, second.getInt("ordersRead"));
        assertEquals(0, second.getInt("movementsBooked"));
        assertEquals(1, second.getInt("alreadyBooked"));
        assertEquals(1, movements().size());
    }

    @Test
    void aReturnRefundFoundOnlyByReconciliationBooksTheRestockWithTheRefundsBusinessKey() {
        long id = IDS.incrementAndGet();
        deliverWebhook("orders/create", order(id, "REC-4", 3, ""));
        long refundId = IDS.incrementAndGet();
        long returnLine = IDS.incrementAndGet();
        String refunds = """
                "refunds": [{"id": %d, "order_id": %d, "refund_line_items": [
                  {"id": %d, "line_item_id": %d, "quantity": 2, "restock_type": "return",
                   "line_item": {"id": %d, "sku": "REC-4", "gift_card": false}},
                  {"id": %d, "line_item_id": %d, "quantity": 1, "restock_type": "no_restock",
                   "line_item": {"id": %d, "sku": "REC-4", "gift_card": false}}]}], """
                .formatted(refundId, id, returnLine, id + 1, id + 1, returnLine + 1, id + 1, id + 1);
        shopify.addOrder(order(id, "REC-4", 3, refunds));

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("ordersBooked"));
        assertEquals(1, summary.getInt("movementsBooked"));
        List<Row> m = movements();
        assertEquals(2, m.size());
        assertEquals("RESTOCK", m.get(1).getString("kind"));
        assertEquals(2, m.get(1).getInteger("quantity"));
        assertEquals("shopify:refund:" + refundId + ":line:" + returnLine + ":RESTOCK", m.get(1).getString("business_key"));
        assertEquals("PENDING", m.get(1).getString("status"));
    }

    @Test
    void aTestOrderBooksNothingUnlessTheStoreOptsIn() {
        shopify.addOrder(order(IDS.incrementAndGet(), "REC-5", 1, "").replace("\"test\": false", "\"test\": true"));

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("nothingToBook"));
        assertEquals(0, movements().size());
    }

    @Test
    void theWatermarkAdvancesToTheNewestChangeSeenButNeverCloserThanTheOverlapToNow() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
        setWatermark(now.minusHours(2));
        shopify.addOrder(order(IDS.incrementAndGet(), "REC-6", 1, updatedAt(now.minusMinutes(90))));
        shopify.addOrder(order(IDS.incrementAndGet(), "REC-6", 1, updatedAt(now.minusMinutes(60))));
        shopify.addOrder(order(IDS.incrementAndGet(), "REC-6", 1, updatedAt(now.minusHours(5))));

        JsonPath first = reconcile();

        assertEquals(2, first.getInt("ordersRead"));
        assertEquals(now.minusHours(2).minusMinutes(10).toInstant(), Instant.parse(first.getString("since")));
        assertEquals(now.minusMinutes(60).toInstant(), Instant.parse(first.getString("reconciledThrough")));
        assertTrue(first.getBoolean("watermarkAdvanced"));
        Api.admin().get("/api/stores/" + storeId + "/reconcile").then().statusCode(200)
                .body("reconciledThrough", equalTo(first.getString("reconciledThrough")))
                .body("lastRunStatus", equalTo("DONE"))
                .body("lastSummary.movementsBooked", equalTo(2));

        shopify.addOrder(order(IDS.incrementAndGet(), "REC-6", 1, updatedAt(OffsetDateTime.now(ZoneOffset.UTC))));
        Instant before = Instant.now();
        JsonPath second = reconcile();

        Instant watermark = Instant.parse(second.getString("reconciledThrough"));
        assertTrue(watermark.isAfter(now.minusMinutes(60).toInstant()), watermark.toString());
        assertFalse(watermark.isAfter(Instant.now().minus(Duration.ofMinutes(10))), watermark.toString());
        assertFalse(watermark.isBefore(before.minus(Duration.ofMinutes(10)).minusSeconds(1)), watermark.toString());
    }

    @Test
    void aStorefrontFailureLeavesTheWatermarkAndReportsTheError() {
        OffsetDateTime mark = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).minusHours(1);
        setWatermark(mark);
        shopify.addOrder(order(IDS.incrementAndGet(), "REC-7", 1, ""));
        shopify.inject(Fault.error500().on(ShopifySimulator.ORDERS).always());

        JsonPath summary = reconcile();

        assertEquals("FAILED", summary.getString("status"));
        assertEquals(1, summary.getInt("errors"));
        assertTrue(summary.getString("firstErrors[0]").contains("UNAVAILABLE"), summary.getString("firstErrors[0]"));
        assertEquals(mark.toInstant(), Instant.parse(summary.getString("reconciledThrough")));
        assertFalse(summary.getBoolean("watermarkAdvanced"));
        assertEquals(0, movements().size());
        Row state = db.rows("SELECT * FROM reconciliation_state WHERE store_id = $1", storeId).get(0);
        assertEquals(mark.toInstant(), state.getOffsetDateTime("reconciled_through").toInstant());
        assertEquals("FAILED", state.getString("last_run_status"));
        assertTrue(state.getString("last_error").contains("UNAVAILABLE"), state.getString("last_error"));
    }

    @Test
    void aSecondReconciliationWhileOneHoldsTheLockGets409() {
        SqlConnection conn = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Transaction tx = conn.begin().await().atMost(Duration.ofSeconds(10));
            boolean locked = conn.preparedQuery(ec.stocksync.cluster.TryLock.SQL)
                    .execute(Tuple.of("reconcile:" + storeId)).await().atMost(Duration.ofSeconds(10))
                    .iterator().next().getBoolean(0);
            assertTrue(locked);

            Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(409)
                    .body("error", equalTo("reconcile_in_progress"));

            tx.rollback().await().atMost(Duration.ofSeconds(10));
        } finally {
            conn.close().await().atMost(Duration.ofSeconds(10));
        }
        assertEquals("DONE", reconcile().getString("status"));
        assertNull(db.rows("SELECT last_error FROM reconciliation_state WHERE store_id = $1", storeId).get(0).getString(0));
    }

    @Test
    void anUnknownStoreGets404() {
        Api.admin().post("/api/stores/987654321/reconcile").then().statusCode(404).body("error", equalTo("store_not_found"));
    }
}
