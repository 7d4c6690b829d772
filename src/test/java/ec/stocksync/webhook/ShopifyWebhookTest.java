package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ShopifyWebhookTest {

    static final String ORDER = "shopify/orders-create.json";
    static final String REFUND = "shopify/refunds-create.json";

    @Inject
    Db db;

    long storeId;
    String shopDomain;

    @BeforeEach
    void newStore() {
        storeId = Api.createShopifyStore();
        shopDomain = Api.admin().get("/api/stores/" + storeId).then().extract().jsonPath().getString("shopDomain");
    }

    static byte[] liveOrder() {
        return Fixtures.edited(ORDER, "\"test\": true,", "\"test\": false,");
    }

    ValidatableResponse deliver(String topic, String webhookId, byte[] body, String signature) {
        var req = given().contentType("application/json").header("X-Shopify-Topic", topic)
                .header("X-Shopify-Webhook-Id", webhookId).header("X-Shopify-Shop-Domain", shopDomain)
                .header("X-Shopify-API-Version", "2026-04");
        if (signature != null) {
            req = req.header("X-Shopify-Hmac-Sha256", signature);
        }
        return Api.sized(req, body).body(body).post("/webhooks/shopify/" + storeId).then();
    }

    ValidatableResponse deliverSigned(String topic, String webhookId, byte[] body) {
        return deliver(topic, webhookId, body, WebhookSignature.sign(Api.SHOPIFY_SECRET, body));
    }

    List<Row> movements() {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", storeId);
    }

    @Test
    void signatureMatchesTheFixtureTestVectors() {
        assertEquals("p8y2J+Spr40BeUAuxFqmk2tTPGx4YIQ7K8Bd9k85dho=",
                WebhookSignature.sign(Api.SHOPIFY_SECRET, Fixtures.bytes(ORDER)));
        assertEquals("P5tB/21ps2WxvVFwvStIy0umnggvfIop2FLWieAoC30=",
                WebhookSignature.sign(Api.SHOPIFY_SECRET, Fixtures.bytes(REFUND)));
        assertEquals("/4q1Zb6lY6bQJ0cEM0PFvBF1OntPe3HxPyWokvrL3Iw=",
                WebhookSignature.sign(Api.SHOPIFY_SECRET, "{\"id\":820982911946154508}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSaleBooksOnePendingSaleMovementPerSkuWithTheLinesSummed() {
        deliverSigned("orders/create", UUID.randomUUID().toString(), liveOrder())
                .statusCode(200)
                .body("status", equalTo("accepted"))
                .body("outcome", equalTo("BOOKED"))
                .body("movementsCreated", equalTo(1));

        List<Row> m = movements();
        assertEquals(1, m.size());
        Row sale = m.get(0);
        assertEquals("IPOD2008PINK", sale.getString("sku"));
        assertEquals("SALE", sale.getString("kind"));
        assertEquals(2, sale.getInteger("quantity"), "both lines of IPOD2008PINK in one movement");
        assertEquals("PENDING", sale.getString("status"));
        assertEquals("820982911946154508", sale.getString("order_id"), "the id above 2^53 kept exactly");
        assertEquals("#9999", sale.getString("order_name"));
        assertEquals("shopify:order:820982911946154508:sku:IPOD2008PINK:SALE", sale.getString("business_key"));
    }

    @Test
    void theSampleTestOrderIsRecordedButBooksNothing() {
        deliver("orders/create", UUID.randomUUID().toString(), Fixtures.bytes(ORDER),
                "p8y2J+Spr40BeUAuxFqmk2tTPGx4YIQ7K8Bd9k85dho=")
                .statusCode(200)
                .body("outcome", equalTo("IGNORED_TEST_ORDER"))
                .body("movementsCreated", equalTo(0));
        assertEquals(0, movements().size());
        assertEquals(1, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1 AND outcome = 'IGNORED_TEST_ORDER'", storeId));
    }

    @Test
    void aStoreThatOptsInBooksTestOrders() {
        Api.admin().body(Map.of("processTestOrders", true)).patch("/api/stores/" + storeId).then().statusCode(200);
        deliver("orders/create", UUID.randomUUID().toString(), Fixtures.bytes(ORDER),
                "p8y2J+Spr40BeUAuxFqmk2tTPGx4YIQ7K8Bd9k85dho=")
                .statusCode(200).body("outcome", equalTo("BOOKED"));
        assertEquals(1, movements().size());
    }

    @Test
    void giftCardsUntrackedLinesAndLinesWithoutSkuAreSkippedWithTheReason() {
        String order = """
                {"id": 5001, "name": "#5001", "test": false, "line_items": [
                  {"id": 1, "sku": "GIFT-25", "quantity": 1, "gift_card": true, "variant_inventory_management": null},
                  {"id": 2, "sku": "SERVICE-1", "quantity": 1, "gift_card": false, "variant_inventory_management": null},
                  {"id": 3, "sku": "", "quantity": 1, "gift_card": false, "variant_inventory_management": "shopify"},
                  {"id": 4, "sku": "PT-0002-50ml", "quantity": 2, "gift_card": false, "variant_inventory_management": "shopify"}
                ]}""";
        deliverSigned("orders/create", UUID.randomUUID().toString(), order.getBytes(StandardCharsets.UTF_8))
                .statusCode(200)
                .body("movementsCreated", equalTo(1))
                .body("skippedLines", hasSize(3))
                .body("skippedLines[0].reason", equalTo("gift card: no stock to move"))
                .body("skippedLines[2].lineId", equalTo("3"));
        assertEquals("PT-0002-50ml", movements().get(0).getString("sku"));
        String recorded = db.rows("SELECT skipped_lines::text FROM webhook_events WHERE store_id = $1", storeId).get(0).getString(0);
        assertEquals(true, recorded.contains("line has no SKU"), recorded);
    }

    @Test
    void theSameDeliveryTwiceBooksOnce() {
        String webhookId = UUID.randomUUID().toString();
        deliverSigned("orders/create", webhookId, liveOrder()).statusCode(200).body("status", equalTo("accepted"));
        deliverSigned("orders/create", webhookId, liveOrder()).statusCode(200).body("status", equalTo("duplicate"));
        assertEquals(1, movements().size());
        assertEquals(1, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", storeId));
    }

    @Test
    void tenConcurrentCopiesOfOneDeliveryBookOnce() throws Exception {
        String webhookId = UUID.randomUUID().toString();
        byte[] body = liveOrder();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(() -> deliverSigned("orders/create", webhookId, body).extract().statusCode());
            }
            for (Future<Integer> f : pool.invokeAll(calls)) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, movements().size());
        assertEquals(1, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", storeId));
    }

    @Test
    void aSecondDeliveryOfTheSameOrderUnderAnotherWebhookIdBooksNothingNew() {
        deliverSigned("orders/create", UUID.randomUUID().toString(), liveOrder()).statusCode(200);
        // Not the same bytes (those are a replay, see WebhookSecurityTest): the business keys make it book nothing.
        byte[] sameOrderLater = Fixtures.edited(ORDER, "\"test\": true,", "\"test\": false, \"note\": \"later\",");
        deliverSigned("orders/create", UUID.randomUUID().toString(), sameOrderLater)
                .statusCode(200)
                .body("status", equalTo("accepted"))
                .body("outcome", equalTo("NOTHING_TO_BOOK"))
                .body("movementsCreated", equalTo(0));
        assertEquals(1, movements().size());
    }

    @Test
    void badDeliveriesAreRefusedAndChangeNothing() throws Exception {
        Map<String, Long> before = db.webhookTableCounts();
        byte[] body = liveOrder();
        String goodSignature = WebhookSignature.sign(Api.SHOPIFY_SECRET, body);

        deliver("orders/create", "w1", body, null).statusCode(401).body("error", equalTo("unauthenticated"));
        deliver("orders/create", "w2", body, WebhookSignature.sign("another-secret", body))
                .statusCode(401).body("error", equalTo("unauthenticated"));
        deliver("orders/create", "w3", body, "not base64 at all!").statusCode(401);

        // Same JSON, re-serialized: Shopify's "\/" escapes are gone, so the bytes (and the HMAC) differ.
        byte[] reserialized = new ObjectMapper().writeValueAsBytes(new ObjectMapper().readTree(body));
        deliver("orders/create", "w4", reserialized, goodSignature).statusCode(401).body("error", equalTo("unauthenticated"));

        byte[] truncated = Arrays.copyOf(body, body.length / 2);
        deliver("orders/create", "w5", truncated, goodSignature).statusCode(401);
        // Even correctly signed, a truncated body is not JSON.
        deliverSigned("orders/create", "w6", truncated).statusCode(400).body("error", equalTo("malformed_json"));
        deliverSigned("orders/create", "w7", "{\"id\": 1, \"line_items\": 3}".getBytes(StandardCharsets.UTF_8))
                .statusCode(400).body("error", equalTo("invalid_payload"));

        given().contentType("application/json").header("X-Shopify-Topic", "orders/create")
                .header("X-Shopify-Webhook-Id", "w8").header("X-Shopify-Hmac-Sha256", goodSignature)
                .header("X-Shopify-Shop-Domain", shopDomain)
                .body(body).post("/webhooks/shopify/987654321").then()
                .statusCode(401).body("error", equalTo("unauthenticated"));

        byte[] huge = new byte[1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        deliverSigned("orders/create", "w9", huge).statusCode(413).body("error", equalTo("payload_too_large"));

        assertEquals(before, db.webhookTableCounts());
    }

    @Test
    void aDeactivatedStoreGetsTheSame401AsABadSignature() {
        Api.admin().delete("/api/stores/" + storeId).then().statusCode(200);
        deliverSigned("orders/create", UUID.randomUUID().toString(), liveOrder()).statusCode(401)
                .body("error", equalTo("unauthenticated"));
        assertEquals(0, movements().size());
    }

    @Test
    void duringASecretRotationThePreviousSecretStillVerifies() {
        Api.admin().body(Map.of("webhookSecret", "the-new-secret", "previousWebhookSecret", Api.SHOPIFY_SECRET))
                .patch("/api/stores/" + storeId).then().statusCode(200);
        byte[] body = liveOrder();
        deliver("orders/create", "old", body, WebhookSignature.sign(Api.SHOPIFY_SECRET, body)).statusCode(200);
        deliver("orders/create", "new", body, WebhookSignature.sign("the-new-secret", body)).statusCode(200);
        Api.admin().body("{\"previousWebhookSecret\": null}").patch("/api/stores/" + storeId).then().statusCode(200);
        deliver("orders/create", "old-again", body, WebhookSignature.sign(Api.SHOPIFY_SECRET, body)).statusCode(401);
    }

    @Test
    void theFixtureRefundRestocksBothLegacyRestockLines() {
        deliver("refunds/create", UUID.randomUUID().toString(), Fixtures.bytes(REFUND),
                "P5tB/21ps2WxvVFwvStIy0umnggvfIop2FLWieAoC30=")
                .statusCode(200).body("movementsCreated", equalTo(2));
        List<Row> m = movements();
        assertEquals(List.of("IPOD2008BLACK", "IPOD2008GREEN"), m.stream().map(r -> r.getString("sku")).toList());
        assertEquals(List.of("RESTOCK", "RESTOCK"), m.stream().map(r -> r.getString("kind")).toList());
        assertEquals("shopify:refund:509562969:line:104689539:RESTOCK", m.get(0).getString("business_key"));
    }

    @Test
    void aRefundWithNoRestockBooksNothing() {
        byte[] body = Fixtures.text(REFUND).replace("\"legacy_restock\"", "\"no_restock\"").getBytes(StandardCharsets.UTF_8);
        deliverSigned("refunds/create", UUID.randomUUID().toString(), body)
                .statusCode(200).body("outcome", equalTo("NOTHING_TO_BOOK")).body("skippedLines", hasSize(2));
        assertEquals(0, movements().size());
    }

    @Test
    void aRefundWithReturnBooksARestock() {
        byte[] body = Fixtures.text(REFUND).replaceFirst("\"legacy_restock\"", "\"return\"")
                .replace("\"legacy_restock\"", "\"no_restock\"").getBytes(StandardCharsets.UTF_8);
        deliverSigned("refunds/create", UUID.randomUUID().toString(), body).statusCode(200).body("movementsCreated", equalTo(1));
        List<Row> m = movements();
        assertEquals(1, m.size());
        assertEquals("IPOD2008BLACK", m.get(0).getString("sku"));
        assertEquals("RESTOCK", m.get(0).getString("kind"));
        assertEquals(1, m.get(0).getInteger("quantity"));
    }

    @Test
    void aRefundOfAnIgnoredTestOrderRestocksNothing() {
        deliver("orders/create", UUID.randomUUID().toString(), Fixtures.bytes(ORDER),
                "p8y2J+Spr40BeUAuxFqmk2tTPGx4YIQ7K8Bd9k85dho=").statusCode(200).body("outcome", equalTo("IGNORED_TEST_ORDER"));
        byte[] refund = Fixtures.text(REFUND).replace("\"order_id\": 450789469", "\"order_id\": 820982911946154508")
                .getBytes(StandardCharsets.UTF_8);
        deliverSigned("refunds/create", UUID.randomUUID().toString(), refund)
                .statusCode(200).body("outcome", equalTo("IGNORED_TEST_ORDER"));
        assertEquals(0, movements().size());
    }

    @Test
    void aCancellationBooksNothingByItselfBecauseItsRestockComesAsARefund() {
        deliverSigned("orders/cancelled", UUID.randomUUID().toString(), liveOrder())
                .statusCode(200).body("outcome", equalTo("IGNORED_TOPIC"));
        assertEquals(0, movements().size());
    }

    @Test
    void aCancellationWithoutRestockBooksNothingAndLeavesTheSaleBooked() {
        deliverSigned("orders/create", UUID.randomUUID().toString(), liveOrder()).statusCode(200).body("movementsCreated", equalTo(1));
        deliverSigned("orders/cancelled", UUID.randomUUID().toString(), liveOrder())
                .statusCode(200).body("outcome", equalTo("IGNORED_TOPIC"));
        // The cancellation's refund, which the merchant chose not to restock.
        byte[] refund = Fixtures.text(REFUND).replace("\"order_id\": 450789469", "\"order_id\": 820982911946154508")
                .replace("\"legacy_restock\"", "\"no_restock\"").getBytes(StandardCharsets.UTF_8);
        deliverSigned("refunds/create", UUID.randomUUID().toString(), refund)
                .statusCode(200).body("outcome", equalTo("NOTHING_TO_BOOK")).body("movementsCreated", equalTo(0));
        List<Row> m = movements();
        assertEquals(1, m.size());
        assertEquals("SALE", m.get(0).getString("kind"));
    }

    @Test
    void theQueuedMovementCarriesTheStoresActiveIntegration() {
        long integrationId = Api.admin().body(Map.of("provider", "contifico", "apiKey", "k", "warehouseId", "BOD1"))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
        deliverSigned("orders/create", UUID.randomUUID().toString(), liveOrder()).statusCode(200);
        assertEquals(integrationId, movements().get(0).getLong("integration_id"));
    }
}
