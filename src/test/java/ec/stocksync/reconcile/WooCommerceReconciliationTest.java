package ec.stocksync.reconcile;

import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import ec.stocksync.support.Fixtures;
import ec.stocksync.webhook.WebhookSignature;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class WooCommerceReconciliationTest {

    static final String ORDER = "woocommerce/order.json";
    static final String FIXTURE_MODIFIED = "\"date_modified_gmt\": \"2017-03-22T19:28:08\"";

    @Inject
    WooCommerceSimulator woo;
    @Inject
    Sandbox sandbox;
    @Inject
    Db db;

    long storeId;

    @BeforeEach
    void store() {
        woo.reset();
        storeId = sandbox.wooStoreOnly();
    }

    @AfterEach
    void clearFaults() {
        woo.clearFaults();
    }

    /** The fixture order (727: Bar3 ×1 and a line without SKU) in a status, modified at a GMT time. */
    static String order(String status, LocalDateTime modifiedGmt) {
        return Fixtures.text(ORDER).replace("\"status\": \"processing\"", "\"status\": \"" + status + "\"")
                .replace(FIXTURE_MODIFIED, "\"date_modified_gmt\": \"" + modifiedGmt.withNano(0) + "\"");
    }

    static LocalDateTime minutesAgo(int minutes) {
        return LocalDateTime.now(ZoneOffset.UTC).minusMinutes(minutes);
    }

    JsonPath reconcile() {
        return Api.admin().post("/api/stores/" + storeId + "/reconcile").then().statusCode(200).extract().jsonPath();
    }

    void deliverWebhook(String topic, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        given().contentType("application/json").header("X-WC-Webhook-Topic", topic)
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, bytes))
                .body(bytes).post("/webhooks/woocommerce/" + storeId).then().statusCode(200);
    }

    List<Row> movements() {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", storeId);
    }

    @Test
    void aSaleWhoseWebhookNeverArrivedIsBookedPendingWithTheWebhooksBusinessKey() {
        woo.addOrder(order("processing", minutesAgo(1)));

        JsonPath summary = reconcile();

        assertEquals("DONE", summary.getString("status"));
        assertEquals(1, summary.getInt("ordersRead"));
        assertEquals(1, summary.getInt("movementsBooked"));
        List<Row> m = movements();
        assertEquals(1, m.size());
        assertEquals("woocommerce:order:727:sku:Bar3:SALE:0", m.get(0).getString("business_key"));
        assertEquals("PENDING", m.get(0).getString("status"));
        assertEquals(1, m.get(0).getInteger("quantity"));
        Row state = db.rows("SELECT * FROM storefront_orders WHERE store_id = $1 AND order_id = '727'", storeId).get(0);
        assertTrue(state.getBoolean("stock_reduced"));
    }

    @Test
    void aSaleWhoseWebhookArrivedBooksNothingMore() {
        deliverWebhook("order.created", Fixtures.text(ORDER));
        // Listed later, completed since: still the same sale.
        woo.addOrder(order("completed", minutesAgo(1)));

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("ordersRead"));
        assertEquals(0, summary.getInt("movementsBooked"));
        assertEquals(1, summary.getInt("alreadyBooked"));
        assertEquals(1, movements().size());
        assertEquals(1, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", storeId));
    }

    @Test
    void reconcilingTwiceBooksNothingTheSecondTime() {
        woo.addOrder(order("on-hold", minutesAgo(2)));
        assertEquals(1, reconcile().getInt("movementsBooked"));

        JsonPath second = reconcile();

        assertEquals(0, second.getInt("movementsBooked"));
        assertEquals(1, second.getInt("alreadyBooked"));
        assertEquals(1, movements().size());
    }

    @Test
    void aCancellationWhoseWebhookWasLostRestocksWhatTheWebhookSold() {
        deliverWebhook("order.created", Fixtures.text(ORDER));
        woo.addOrder(order("cancelled", minutesAgo(1)));

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("movementsBooked"));
        List<Row> m = movements();
        assertEquals(2, m.size());
        assertEquals("RESTOCK", m.get(1).getString("kind"));
        assertEquals("woocommerce:order:727:sku:Bar3:RESTOCK:0", m.get(1).getString("business_key"));
    }

    @Test
    void aPendingOrderNeverSoldBooksNothing() {
        woo.addOrder(order("pending", minutesAgo(1)));

        JsonPath summary = reconcile();

        assertEquals(1, summary.getInt("nothingToBook"));
        assertEquals(0, movements().size());
    }

    @Test
    void theWatermarkAdvancesToTheNewestModificationSeen() {
        OffsetDateTime mark = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).minusHours(2);
        db.rows("INSERT INTO reconciliation_state (store_id, reconciled_through) VALUES ($1, $2)", storeId, mark);
        LocalDateTime newest = minutesAgo(45).withNano(0);
        woo.addOrder(order("processing", newest));

        JsonPath summary = reconcile();

        assertEquals(newest.toInstant(ZoneOffset.UTC), Instant.parse(summary.getString("reconciledThrough")));
        assertEquals(newest.toInstant(ZoneOffset.UTC),
                db.rows("SELECT reconciled_through FROM reconciliation_state WHERE store_id = $1", storeId).get(0)
                        .getOffsetDateTime(0).toInstant());
    }

    @Test
    void aStorefrontFailureLeavesTheWatermarkAndReportsTheError() {
        OffsetDateTime mark = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).minusHours(1);
        db.rows("INSERT INTO reconciliation_state (store_id, reconciled_through) VALUES ($1, $2)", storeId, mark);
        woo.addOrder(order("processing", minutesAgo(1)));
        woo.inject(Fault.error500().on(WooCommerceSimulator.LIST_ORDERS).always());

        JsonPath summary = reconcile();

        assertEquals("FAILED", summary.getString("status"));
        assertEquals(1, summary.getInt("errors"));
        assertFalse(summary.getBoolean("watermarkAdvanced"));
        assertEquals(mark.toInstant(), Instant.parse(summary.getString("reconciledThrough")));
        assertEquals(0, movements().size());
        assertEquals(mark.toInstant(), db.rows("SELECT reconciled_through FROM reconciliation_state WHERE store_id = $1",
                storeId).get(0).getOffsetDateTime(0).toInstant());
    }
}
