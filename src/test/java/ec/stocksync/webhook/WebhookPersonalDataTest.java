package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.store.Platform;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11 F: webhook events keep what booking and audit need, not the customer (DESIGN rule 11). */
@QuarkusTest
class WebhookPersonalDataTest {

    // Added to the fixtures, which leave these empty: a note, an IP and a user agent as a customer's browser sends them.
    static final String NOTE = "Dejar con el conserje, Jon";
    static final String IP = "203.0.113.77";
    static final String AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

    /** From shopify/orders-create.json: email, customer, billing and shipping address. */
    static final List<String> SHOPIFY_PERSONAL = List.of("jon@example.com", "john@example.com", "Smith", "Steve",
            "Shipper", "123 Shipping Street", "555-555-SHIP", "Shippington", "40003", "Shipping Company", NOTE, IP, AGENT);
    /** From woocommerce/order.json: billing and shipping. */
    static final List<String> WOO_PERSONAL = List.of("John", "Doe", "john.doe@example.com", "(555) 555-5555",
            "969 Market", "San Francisco", "94103", NOTE, IP, AGENT, "_download_permissions_granted");

    @Inject
    Db db;
    @Inject
    WebhookIngestService ingest;
    @Inject
    ObjectMapper mapper;

    static byte[] shopifyOrderWithPersonalData() {
        String text = new String(ShopifyWebhookTest.liveOrder(), StandardCharsets.UTF_8)
                .replaceFirst("\"note\": null", "\"note\": \"" + NOTE + "\"")
                .replaceFirst("\"browser_ip\": null", "\"browser_ip\": \"" + IP + "\"");
        assertTrue(text.contains(NOTE) && text.contains(IP), "the fixture still has the fields edited here");
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] wooOrderWithPersonalData() {
        return Fixtures.text(WooCommerceWebhookTest.ORDER)
                .replace("\"customer_ip_address\": \"\"", "\"customer_ip_address\": \"" + IP + "\"")
                .replace("\"customer_user_agent\": \"\"", "\"customer_user_agent\": \"" + AGENT + "\"")
                .replace("\"customer_note\": \"\"", "\"customer_note\": \"" + NOTE + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    ValidatableResponse deliverShopify(long storeId, String topic, byte[] body) {
        String shopDomain = Api.admin().get("/api/stores/" + storeId).then().extract().jsonPath().getString("shopDomain");
        return given().contentType("application/json").header("X-Shopify-Topic", topic)
                .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString()).header("X-Shopify-Shop-Domain", shopDomain)
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.SHOPIFY_SECRET, body))
                .body(body).post("/webhooks/shopify/" + storeId).then();
    }

    ValidatableResponse deliverWoo(long storeId, byte[] body) {
        return given().contentType("application/json").header("X-WC-Webhook-Source", "https://woo.example.com/")
                .header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, body))
                .body(body).post("/webhooks/woocommerce/" + storeId).then();
    }

    /** The whole stored event, every column, as one text: what a database dump would show. */
    String dump(long storeId) {
        List<Row> rows = db.rows("SELECT row_to_json(e)::text FROM webhook_events e WHERE store_id = $1", storeId);
        assertEquals(1, rows.size());
        return rows.get(0).getString(0);
    }

    static void assertNoneOf(List<String> personal, String dump) {
        for (String value : personal) {
            assertFalse(dump.contains(value), "the stored event contains \"" + value + "\": " + dump);
        }
    }

    JsonNode payload(long storeId) throws Exception {
        return mapper.readTree(db.rows("SELECT payload::text FROM webhook_events WHERE store_id = $1", storeId)
                .get(0).getString(0));
    }

    @Test
    void aShopifyOrderIsStoredWithItsIdAndLinesButNoneOfTheCustomersPersonalData() throws Exception {
        long store = Api.createShopifyStore();
        deliverShopify(store, "orders/create", shopifyOrderWithPersonalData()).statusCode(200)
                .body("outcome", equalTo("BOOKED"));

        String dump = dump(store);
        assertNoneOf(SHOPIFY_PERSONAL, dump);
        JsonNode p = payload(store);
        assertEquals("820982911946154508", p.get("id").asText(), "the id above 2^53 kept exactly");
        assertEquals("#9999", p.get("name").asText());
        assertEquals(2, p.get("line_items").size());
        assertEquals("IPOD2008PINK", p.at("/line_items/0/sku").asText());
        assertEquals(1, p.at("/line_items/0/quantity").asInt());
        assertFalse(p.has("customer") || p.has("billing_address") || p.has("note_attributes") || p.has("email"), dump);
        assertNull(db.rows("SELECT raw_payload FROM webhook_events WHERE store_id = $1", store).get(0)
                .getString(0), "no raw body unless the store opts in");
    }

    @Test
    void aShopifyRefundKeepsItsLinesAndRestockTypesButNotItsNote() throws Exception {
        long store = Api.createShopifyStore();
        deliverShopify(store, "refunds/create", Fixtures.bytes(ShopifyWebhookTest.REFUND)).statusCode(200);

        String dump = dump(store);
        assertFalse(dump.contains("it broke during shipping"), dump);
        JsonNode p = payload(store);
        assertTrue(p.has("id") && p.has("order_id"), dump);
        assertEquals("IPOD2008BLACK", p.at("/refund_line_items/0/line_item/sku").asText(), dump);
        assertEquals(1, p.at("/refund_line_items/0/quantity").asInt(), dump);
        assertTrue(p.at("/refund_line_items/0/restock_type").isTextual(), dump);
        assertFalse(p.has("transactions") || p.has("order_adjustments"), dump);
    }

    @Test
    void aWooCommerceOrderIsStoredWithItsIdAndLinesButNoneOfTheCustomersPersonalData() throws Exception {
        long store = Api.createWooStore();
        deliverWoo(store, wooOrderWithPersonalData()).statusCode(200).body("outcome", equalTo("BOOKED"));

        String dump = dump(store);
        assertNoneOf(WOO_PERSONAL, dump);
        JsonNode p = payload(store);
        assertEquals(727, p.get("id").asLong());
        assertEquals("processing", p.get("status").asText());
        assertEquals("Bar3", p.at("/line_items/1/sku").asText());
        assertEquals(1, p.at("/line_items/1/quantity").asInt());
        assertFalse(p.has("billing") || p.has("shipping") || p.has("meta_data") || p.has("customer_note"), dump);
    }

    @Test
    void aReconciledShopifyOrderIsStoredWithoutTheCustomersPersonalData() throws Exception {
        long store = Api.createShopifyStore();
        JsonNode order = mapper.readTree(shopifyOrderWithPersonalData());
        WebhookIngestService.WebhookStore ws = new WebhookIngestService.WebhookStore(store, Platform.SHOPIFY, true,
                null, null, false, false, null, false);
        WebhookIngestService.Reconciled r = ingest.ingestReconciledShopify(ws, "reconcile:pii:" + store, order)
                .await().atMost(Duration.ofSeconds(30));
        assertEquals(1, r.result().movementsCreated(), "the event stays only when something was booked");

        String dump = dump(store);
        assertNoneOf(SHOPIFY_PERSONAL, dump);
        assertEquals("IPOD2008PINK", payload(store).at("/line_items/0/sku").asText());
    }

    @Test
    void aStoreThatOptsInKeepsTheRawBodyBesideTheMinimisedCopy() {
        long store = Api.createWooStore();
        Api.admin().get("/api/stores/" + store).then().statusCode(200).body("keepRawPayloads", equalTo(false));
        Api.admin().body(Map.of("keepRawPayloads", true)).patch("/api/stores/" + store).then().statusCode(200)
                .body("keepRawPayloads", equalTo(true));
        byte[] body = wooOrderWithPersonalData();
        deliverWoo(store, body).statusCode(200).body("outcome", equalTo("BOOKED"));

        Row row = db.rows("SELECT raw_payload, payload::text AS payload FROM webhook_events WHERE store_id = $1", store)
                .get(0);
        assertEquals(new String(body, StandardCharsets.UTF_8), row.getString("raw_payload"), "byte for byte");
        assertNoneOf(WOO_PERSONAL, row.getString("payload"));
    }

    @Test
    void keepRawPayloadsIsABooleanAndAWrongTypeIsRefusedWithoutChangingIt() {
        long store = Api.createShopifyStore();
        Api.admin().body(Map.of("keepRawPayloads", "yes")).patch("/api/stores/" + store).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("keepRawPayloads"));
        assertEquals(1, db.count("SELECT count(*) FROM stores WHERE id = $1 AND NOT keep_raw_payloads", store));
        Api.admin().body(Map.of("keepRawPayloads", true)).patch("/api/stores/" + store).then().statusCode(200);
        assertEquals(1, db.count("SELECT count(*) FROM stores WHERE id = $1 AND keep_raw_payloads", store));
    }

    /** V17 minimised the rows stored before it with SQL: the same allow-list as AuditCopy, or old rows keep more. */
    @Test
    void theMigrationsSqlProjectionKeepsExactlyWhatAuditCopyKeeps() throws Exception {
        record Case(Platform platform, String topic, String fixture) {
        }
        for (Case c : List.of(new Case(Platform.SHOPIFY, "orders/create", ShopifyWebhookTest.ORDER),
                new Case(Platform.SHOPIFY, WebhookIngestService.RECONCILE_TOPIC, ShopifyWebhookTest.ORDER),
                new Case(Platform.SHOPIFY, "refunds/create", ShopifyWebhookTest.REFUND),
                new Case(Platform.WOOCOMMERCE, "order.created", WooCommerceWebhookTest.ORDER))) {
            String full = Fixtures.text(c.fixture());
            JsonNode bySql = mapper.readTree(db.rows(
                    "SELECT webhook_payload_minimise($1::text::jsonb, webhook_payload_spec($2, $3))::text",
                    full, c.platform().code(), c.topic()).get(0).getString(0));
            JsonNode byJava = AuditCopy.of(c.platform(), c.topic(), mapper.readTree(full));
            assertEquals(byJava, bySql, c.toString());
            assertNoneOf(c.platform() == Platform.SHOPIFY ? SHOPIFY_PERSONAL : WOO_PERSONAL, bySql.toString());
        }
    }
}
