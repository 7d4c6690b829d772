package ec.stocksync.webhook;

import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WooCommerce partial refunds with restock: an {@code order.updated} lists refund ids only; the lines and quantities of
 * each refund are read from the WooCommerce simulator ({@code GET /orders/{id}/refunds}) and booked once per refund
 * line, for stores whose refunds restock.
 */
@QuarkusTest
class WooCommerceRefundTest {

    private static final AtomicLong IDS = new AtomicLong(880_000);

    @Inject
    WooCommerceSimulator woo;
    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    DeferredBacklog backlog;
    @TestHTTPResource(value = "/", management = true)
    URL management;

    long storeId;

    @BeforeEach
    void store() {
        woo.reset();
        storeId = sandbox.wooStoreOnly();
        restocks(true);
    }

    @AfterEach
    void clearFaults() {
        woo.clearFaults();
    }

    void restocks(boolean on) {
        Api.admin().body(Map.of("refundsRestock", on)).patch("/api/stores/" + storeId).then().statusCode(200);
    }

    /** A processing order of 3 × RF-A (line id + 1) and 2 × RF-B (line id + 2), in the simulator and delivered. */
    long soldOrder() {
        long id = IDS.addAndGet(10);
        JsonObject order = woo.addOrder("""
                {"id": %d, "number": "%d", "status": "processing", "line_items": [
                  {"id": %d, "name": "A", "product_id": 1, "variation_id": 0, "quantity": 3, "sku": "RF-A"},
                  {"id": %d, "name": "B", "product_id": 2, "variation_id": 0, "quantity": 2, "sku": "RF-B"}],
                 "refunds": []}""".formatted(id, id, id + 1, id + 2));
        deliver("order.created", order).body("movementsCreated", equalTo(2));
        return id;
    }

    io.restassured.response.ValidatableResponse deliver(String topic, JsonObject order) {
        byte[] bytes = order.encode().getBytes(StandardCharsets.UTF_8);
        return given().contentType("application/json").header("X-WC-Webhook-Topic", topic)
                .header("X-WC-Webhook-Source", woo.baseUrl())
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, bytes))
                .body(bytes).post("/webhooks/woocommerce/" + storeId).then().statusCode(200);
    }

    static String newestRefund(JsonObject order) {
        return String.valueOf(order.getJsonArray("refunds").getJsonObject(0).getValue("id"));
    }

    void awaitResolved(String refundId) {
        Sandbox.await("refund " + refundId + " resolved", Duration.ofSeconds(30), () -> db.count(
                "SELECT count(*) FROM woocommerce_refunds WHERE store_id = $1 AND refund_id = $2 AND status <> 'PENDING'",
                storeId, refundId) == 1);
    }

    Map<String, Long> booked() {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : db.rows("SELECT sku, kind, sum(quantity) AS units FROM inventory_movements_queue WHERE store_id = $1"
                + " GROUP BY sku, kind", storeId)) {
            out.put(r.getString("sku") + " " + r.getString("kind"), r.getLong("units"));
        }
        return out;
    }

    @Test
    void aRefundLineWithoutAnIdIsSkippedAndARepeatedLineIdCountsItsUnitsOnce() throws Exception {
        com.fasterxml.jackson.databind.JsonNode refund = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"id": 5, "line_items": [
                  {"sku": "RF-A", "quantity": -1},
                  {"id": 11, "sku": "RF-B", "quantity": -1},
                  {"id": 11, "sku": "RF-B", "quantity": -1}]}""");
        List<SkippedLine> skipped = new java.util.ArrayList<>();
        List<WooCommerceRefunds.RefundLine> lines = WooCommerceRefunds.lines(refund, skipped);
        assertEquals(List.of(new WooCommerceRefunds.RefundLine("11", "RF-B", 2)), lines);
        assertEquals(1, skipped.size());
    }

    @Test
    void aPartialRefundWithRestockBooksARestockOfTheRefundedUnitsOfEachLine() {
        long id = soldOrder();
        JsonObject refunded = woo.refund(id, Map.of(id + 1, 1, id + 2, 2), true);
        String refundId = newestRefund(refunded);

        deliver("order.updated", refunded);
        awaitResolved(refundId);

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 1L, "RF-B RESTOCK", 2L), booked());
        List<Row> restocks = db.rows("SELECT business_key FROM inventory_movements_queue WHERE store_id = $1 AND kind = 'RESTOCK'"
                + " ORDER BY sku", storeId);
        assertEquals(true, restocks.get(0).getString(0).startsWith("woocommerce:refund:" + refundId + ":line:"),
                restocks.get(0).getString(0));
        assertEquals(1, woo.requests(WooCommerceSimulator.LIST_REFUNDS).size());
    }

    @Test
    void anUpdateListingOneRefundIdTwiceIsAcceptedAndRestocksItOnce() {
        long id = soldOrder();
        JsonObject refunded = woo.refund(id, Map.of(id + 1, 1), true);
        String refundId = newestRefund(refunded);
        JsonObject twice = refunded.copy();
        twice.getJsonArray("refunds").add(refunded.getJsonArray("refunds").getJsonObject(0).copy());

        deliver("order.updated", twice);
        awaitResolved(refundId);

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 1L), booked());
        assertEquals(1, db.count("SELECT count(*) FROM woocommerce_refunds WHERE store_id = $1", storeId));
    }

    @Test
    void aRefundListedAgainByLaterUpdatesBooksNothingMoreAndASecondRefundBooksItsOwnUnits() {
        long id = soldOrder();
        JsonObject first = woo.refund(id, Map.of(id + 1, 1), true);
        deliver("order.updated", first);
        awaitResolved(newestRefund(first));
        deliver("order.updated", first).body("status", equalTo("duplicate"));

        JsonObject second = woo.refund(id, Map.of(id + 1, 1), true);
        deliver("order.updated", second);
        awaitResolved(newestRefund(second));

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 2L), booked());
        assertEquals(2, db.count("SELECT count(*) FROM woocommerce_refunds WHERE store_id = $1", storeId));
    }

    @Test
    void aCancellationAfterAPartialRefundGivesBackOnlyTheRest() {
        long id = soldOrder();
        JsonObject refunded = woo.refund(id, Map.of(id + 1, 1), true);
        deliver("order.updated", refunded);
        awaitResolved(newestRefund(refunded));

        deliver("order.updated", woo.setStatus(id, "cancelled"));

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 3L, "RF-B RESTOCK", 2L), booked());
    }

    @Test
    void aRefundArrivingWithTheCancellationIsNotGivenBackTwice() {
        long id = soldOrder();
        String refundId = newestRefund(woo.refund(id, Map.of(id + 1, 1), true));

        // One update carries both: the cancellation gives back all that was sold, the refund's read comes after.
        deliver("order.updated", woo.setStatus(id, "cancelled"));
        awaitResolved(refundId);

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 3L, "RF-B RESTOCK", 2L), booked());
    }

    @Test
    void aRefundSeenWhileTheStoresRefundsDoNotRestockBooksNothingEvenAfterTheSettingIsTurnedOn() {
        restocks(false);
        long id = soldOrder();
        deliver("order.updated", woo.refund(id, Map.of(id + 1, 1), false));
        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L), booked());

        restocks(true);
        // A later update lists the same refund again.
        deliver("order.updated", woo.setStatus(id, "completed"));

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L), booked());
        assertEquals(0, db.count("SELECT count(*) FROM woocommerce_refunds WHERE store_id = $1 AND status = 'PENDING'", storeId));
        assertEquals(0, woo.requests(WooCommerceSimulator.LIST_REFUNDS).size(), "nothing to read");
    }

    @Test
    void aRefundWhoseLinesCannotBeReadYetIsBookedOnceWooCommerceAnswers() {
        long id = soldOrder();
        woo.inject(Fault.error500().on(WooCommerceSimulator.LIST_REFUNDS).always());
        JsonObject refunded = woo.refund(id, Map.of(id + 2, 1), true);
        String refundId = newestRefund(refunded);
        deliver("order.updated", refunded);
        Sandbox.await("a failed read recorded", Duration.ofSeconds(30), () -> db.count("""
                SELECT count(*) FROM woocommerce_refunds
                WHERE store_id = $1 AND refund_id = $2 AND status = 'PENDING' AND last_error IS NOT NULL""",
                storeId, refundId) == 1);
        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L), booked());

        woo.clearFaults();
        awaitResolved(refundId);
        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-B RESTOCK", 1L), booked());
    }

    void awaitFailedRead(String refundId, int attempts) {
        Sandbox.await("a failed read recorded", Duration.ofSeconds(30), () -> db.count("""
                SELECT count(*) FROM woocommerce_refunds
                WHERE store_id = $1 AND refund_id = $2 AND attempts >= $3 AND claimed_until IS NULL
                  AND last_error IS NOT NULL""", storeId, refundId, attempts) == 1);
    }

    String status(String refundId) {
        return db.rows("SELECT status FROM woocommerce_refunds WHERE store_id = $1 AND refund_id = $2", storeId, refundId)
                .get(0).getString(0);
    }

    /** The value of {@code stocksync_deferred_bookings_given_up_total{kind}} as Prometheus scrapes it. */
    double givenUpTotal(String kind) {
        String text = given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort())
                .get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            if (line.startsWith("stocksync_deferred_bookings_given_up_total{") && line.contains("kind=\"" + kind + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no stocksync_deferred_bookings_given_up_total{kind=" + kind + "}");
    }

    /** The value of {@code stocksync_deferred_bookings{kind, status}} as Prometheus scrapes it. */
    long deferredGauge(String kind, String status) {
        String text = given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort())
                .get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : text.split("\n")) {
            if (line.startsWith("stocksync_deferred_bookings{") && line.contains("kind=\"" + kind + "\"")
                    && line.contains("status=\"" + status + "\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no stocksync_deferred_bookings{kind=" + kind + ", status=" + status + "}");
    }

    @Test
    void aRefundWhoseLinesCannotBeReadMoreThanTenTimesIsStillRetriedAndRestockedOnceWooCommerceAnswers() {
        long id = soldOrder();
        woo.inject(Fault.error500().on(WooCommerceSimulator.LIST_REFUNDS).always());
        JsonObject refunded = woo.refund(id, Map.of(id + 2, 1), true);
        String refundId = newestRefund(refunded);
        deliver("order.updated", refunded);
        awaitFailedRead(refundId, 1);

        // As after ten failed reads (about half an hour of backoff): the eleventh fails too, and is not the last.
        db.rows("UPDATE woocommerce_refunds SET attempts = 10, next_attempt_at = now() WHERE store_id = $1", storeId);
        awaitFailedRead(refundId, 11);
        assertEquals("PENDING", status(refundId));

        woo.clearFaults();
        db.rows("UPDATE woocommerce_refunds SET next_attempt_at = now() WHERE store_id = $1", storeId);
        awaitResolved(refundId);
        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-B RESTOCK", 1L), booked());
    }

    /**
     * A refund of {@code units} of the order's first line whose lines WooCommerce would not give for days: given up
     * (FAILED), nothing restocked. WooCommerce still fails until the test clears its faults.
     */
    String givenUpRefund(long id, int units) {
        woo.inject(Fault.error500().on(WooCommerceSimulator.LIST_REFUNDS).always());
        JsonObject refunded = woo.refund(id, Map.of(id + 1, units), true);
        String refundId = newestRefund(refunded);
        deliver("order.updated", refunded);
        awaitFailedRead(refundId, 1);
        db.rows("UPDATE woocommerce_refunds SET pending_since = now() - interval '4 days', next_attempt_at = now()"
                + " WHERE store_id = $1", storeId);
        awaitResolved(refundId);
        assertEquals("FAILED", status(refundId));
        return refundId;
    }

    @Test
    void aRefundGivenUpAfterDaysOfFailedReadsIsRevivedByTheNextReconciliationAndRestockedOnce() {
        long id = soldOrder();
        double givenUpBefore = givenUpTotal("woocommerce_refund");
        String refundId = givenUpRefund(id, 2);
        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L), booked());
        // The operator sees it: the gauge counts the given-up refunds (of every store, as the database does).
        backlog.refresh().await().atMost(Duration.ofSeconds(10));
        long failed = db.count("SELECT count(*) FROM woocommerce_refunds WHERE status = 'FAILED'");
        assertTrue(failed >= 1);
        assertEquals(failed, deferredGauge("woocommerce_refund", "failed"));
        // The alert counts give-ups, not the gauge's change (a give-up and a revival within the hour cancel out there).
        assertTrue(givenUpTotal("woocommerce_refund") >= givenUpBefore + 1);

        woo.clearFaults();
        Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(200);
        awaitResolved(refundId);
        assertEquals("DONE", status(refundId));
        Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(200);
        // A later update of the order (new bytes, not a duplicate) lists the refund again: nothing more is restocked.
        deliver("order.updated", woo.setStatus(id, "completed")).body("status", equalTo("accepted"));
        assertEquals("DONE", status(refundId));

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 2L), booked());
    }

    @Test
    void aRefundGivenUpIsRevivedByALaterUpdateOfItsOrderAndRestockedOnce() {
        long id = soldOrder();
        String refundId = givenUpRefund(id, 1);

        woo.clearFaults();
        deliver("order.updated", woo.setStatus(id, "completed"));
        awaitResolved(refundId);
        deliver("order.updated", woo.setStatus(id, "completed"));

        assertEquals("DONE", status(refundId));
        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 1L), booked());
    }

    @Test
    void aRefundWhoseUpdateWasLostIsBookedByTheNextReconciliationOnce() {
        long id = soldOrder();
        JsonObject refunded = woo.refund(id, Map.of(id + 1, 2), true);
        String refundId = newestRefund(refunded);

        Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(200);
        awaitResolved(refundId);
        Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(200);
        deliver("order.updated", refunded);

        assertEquals(Map.of("RF-A SALE", 3L, "RF-B SALE", 2L, "RF-A RESTOCK", 2L), booked());
    }
}
