package ec.stocksync.webhook;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11, points A, B and G: what a forged, replayed, oversized or odd delivery can and cannot do. */
@QuarkusTest
class WebhookSecurityTest {

    static final String UNAUTHENTICATED = "{\"error\":\"unauthenticated\",\"message\":"
            + "\"The delivery could not be authenticated for this webhook URL (signature, shop or store).\"}";
    static final char BS = '\\';
    static final int LIMIT = 1024 * 1024;

    @Inject
    Db db;

    long shopifyId;
    String shopDomain;
    long wooId;

    @BeforeEach
    void stores() {
        shopifyId = Api.createShopifyStore();
        shopDomain = Api.admin().get("/api/stores/" + shopifyId).then().extract().jsonPath().getString("shopDomain");
        wooId = Api.createWooStore();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static String shopifyOrder(long id, String... lines) {
        return "{\"id\": " + id + ", \"name\": \"#" + id + "\", \"test\": false, \"line_items\": ["
                + String.join(",", lines) + "]}";
    }

    static String shopifyLine(int id, String sku, String quantity) {
        return "{\"id\": " + id + ", \"sku\": \"" + sku + "\", \"quantity\": " + quantity
                + ", \"gift_card\": false, \"variant_inventory_management\": \"shopify\"}";
    }

    static String wooOrder(long id, String... lines) {
        return "{\"id\": " + id + ", \"number\": \"" + id + "\", \"status\": \"processing\","
                + " \"date_modified_gmt\": \"2026-01-01T00:00:00\", \"line_items\": [" + String.join(",", lines) + "]}";
    }

    static String wooLine(int id, String sku, String quantity) {
        return "{\"id\": " + id + ", \"product_id\": 9, \"variation_id\": 0, \"sku\": \"" + sku + "\", \"quantity\": "
                + quantity + "}";
    }

    Response shopify(long storeId, String domain, String webhookId, byte[] body, String signature) {
        var req = given().contentType("application/json").header("X-Shopify-Topic", "orders/create")
                .header("X-Shopify-Webhook-Id", webhookId);
        if (domain != null) {
            req = req.header("X-Shopify-Shop-Domain", domain);
        }
        if (signature != null) {
            req = req.header("X-Shopify-Hmac-Sha256", signature);
        }
        return Api.sized(req, body).body(body).post("/webhooks/shopify/" + storeId);
    }

    Response shopifySigned(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return shopify(shopifyId, shopDomain, UUID.randomUUID().toString(), bytes,
                WebhookSignature.sign(Api.SHOPIFY_SECRET, bytes));
    }

    Response woo(long storeId, String source, byte[] body, String signature) {
        var req = given().contentType("application/json").header("X-WC-Webhook-Topic", "order.created");
        if (source != null) {
            req = req.header("X-WC-Webhook-Source", source);
        }
        if (signature != null) {
            req = req.header("X-WC-Webhook-Signature", signature);
        }
        return Api.sized(req, body).body(body).post("/webhooks/woocommerce/" + storeId);
    }

    Response wooSigned(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return woo(wooId, "https://woo.example.com/", bytes, WebhookSignature.sign(Api.WOO_SECRET, bytes));
    }

    List<Row> movements(long storeId) {
        return db.rows("SELECT * FROM inventory_movements_queue WHERE store_id = $1 ORDER BY id", storeId);
    }

    long events(long storeId) {
        return db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", storeId);
    }

    static List<String> reasons(Response r) {
        return r.jsonPath().getList("skippedLines.reason");
    }

    // ------------------------------------------------------------------------------------------------ A1, A2

    @Test
    void everyUnauthenticatedDeliveryGetsTheSame401AndWritesNothing() {
        Map<String, Long> before = db.webhookTableCounts();
        byte[] body = shopifyOrder(7001, shopifyLine(1, "SKU-A", "1")).getBytes(StandardCharsets.UTF_8);
        String good = WebhookSignature.sign(Api.SHOPIFY_SECRET, body);
        long inactive = Api.createShopifyStore();
        String inactiveDomain = Api.admin().get("/api/stores/" + inactive).then().extract().jsonPath().getString("shopDomain");
        Api.admin().delete("/api/stores/" + inactive).then().statusCode(200);

        List<Response> refused = new ArrayList<>();
        refused.add(shopify(987654321L, shopDomain, "a", body, good));                     // unknown id, signed
        refused.add(shopify(987654321L, shopDomain, "b", body, null));                     // unknown id, unsigned
        refused.add(shopify(inactive, inactiveDomain, "c", body, good));                   // inactive store
        refused.add(shopify(wooId, shopDomain, "d", body, good));                          // store of the other platform
        refused.add(shopify(shopifyId, shopDomain, "e", body, null));                      // missing signature
        refused.add(shopify(shopifyId, shopDomain, "f", body, WebhookSignature.sign("other", body))); // wrong secret
        refused.add(shopify(shopifyId, shopDomain, "g", body, "not base64 at all!"));      // garbage signature
        refused.add(shopify(shopifyId, "other-shop.myshopify.com", "h", body, good));      // another shop
        refused.add(shopify(shopifyId, null, "i", body, good));                            // no shop at all
        byte[] wooBody = wooOrder(7002, wooLine(1, "SKU-A", "1")).getBytes(StandardCharsets.UTF_8);
        String wooGood = WebhookSignature.sign(Api.WOO_SECRET, wooBody);
        refused.add(woo(987654321L, null, wooBody, wooGood));                              // unknown id
        refused.add(woo(shopifyId, null, wooBody, wooGood));                               // other platform
        refused.add(woo(wooId, null, wooBody, null));                                      // missing signature
        refused.add(woo(wooId, "https://evil.example.net/", wooBody, wooGood));            // another site

        for (Response r : refused) {
            assertEquals(401, r.statusCode(), r.asString());
            assertEquals(UNAUTHENTICATED, r.asString());
        }
        assertEquals(before, db.webhookTableCounts());
    }

    @Test
    void theShopDomainIsComparedTrimmedAndCaseInsensitively() {
        byte[] body = shopifyOrder(7003, shopifyLine(1, "SKU-A", "1")).getBytes(StandardCharsets.UTF_8);
        shopify(shopifyId, "  " + shopDomain.toUpperCase() + " ", UUID.randomUUID().toString(), body,
                WebhookSignature.sign(Api.SHOPIFY_SECRET, body)).then().statusCode(200).body("outcome", equalTo("BOOKED"));
        assertEquals(1, movements(shopifyId).size());
    }

    @Test
    void aWooCommerceSourceOnTheStoresHostOrNoSourceHeaderIsAccepted() {
        byte[] first = wooOrder(7004, wooLine(1, "SKU-A", "1")).getBytes(StandardCharsets.UTF_8);
        woo(wooId, "https://WOO.example.com/shop/", first, WebhookSignature.sign(Api.WOO_SECRET, first))
                .then().statusCode(200).body("outcome", equalTo("BOOKED"));
        byte[] second = wooOrder(7005, wooLine(1, "SKU-A", "1")).getBytes(StandardCharsets.UTF_8);
        woo(wooId, null, second, WebhookSignature.sign(Api.WOO_SECRET, second))
                .then().statusCode(200).body("outcome", equalTo("BOOKED"));
        assertEquals(2, movements(wooId).size());
    }

    @Test
    void thePingOfAnyIdGetsTheSame200AndWritesNothing() {
        Map<String, Long> before = db.webhookTableCounts();
        for (long id : new long[]{wooId, 987654321L}) {
            given().contentType("application/x-www-form-urlencoded").body("webhook_id=12")
                    .post("/webhooks/woocommerce/" + id).then().statusCode(200).body("status", equalTo("ping"));
        }
        assertEquals(before, db.webhookTableCounts());
    }

    // ------------------------------------------------------------------------------------------------ A3

    @Test
    void aSignedShopifyBodyReplayedUnderANewWebhookIdIsADuplicateAndAddsNoRow() {
        String body = shopifyOrder(7006, shopifyLine(1, "SKU-A", "2"));
        shopifySigned(body).then().statusCode(200).body("status", equalTo("accepted")).body("movementsCreated", equalTo(1));
        shopifySigned(body).then().statusCode(200).body("status", equalTo("duplicate")).body("movementsCreated", equalTo(0));
        assertEquals(1, events(shopifyId));
        assertEquals(1, movements(shopifyId).size());
    }

    @Test
    void theSameBodyUnderAnotherTopicIsNotAReplay() {
        byte[] body = shopifyOrder(7007, shopifyLine(1, "SKU-A", "2")).getBytes(StandardCharsets.UTF_8);
        String sig = WebhookSignature.sign(Api.SHOPIFY_SECRET, body);
        shopify(shopifyId, shopDomain, UUID.randomUUID().toString(), body, sig).then().statusCode(200);
        given().contentType("application/json").header("X-Shopify-Topic", "orders/paid")
                .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString()).header("X-Shopify-Shop-Domain", shopDomain)
                .header("X-Shopify-Hmac-Sha256", sig).body(body).post("/webhooks/shopify/" + shopifyId)
                .then().statusCode(200).body("status", equalTo("accepted")).body("outcome", equalTo("IGNORED_TOPIC"));
        assertEquals(2, events(shopifyId));
    }

    // ------------------------------------------------------------------------------------------------ A4

    @Test
    void aBodyJustOverTheLimitGetsAJson413AndWritesNothing() {
        Map<String, Long> before = db.webhookTableCounts();
        byte[] huge = new byte[LIMIT + 1];
        Arrays.fill(huge, (byte) ' ');
        shopify(shopifyId, shopDomain, "big", huge, WebhookSignature.sign(Api.SHOPIFY_SECRET, huge))
                .then().statusCode(413).body("error", equalTo("payload_too_large"));
        woo(wooId, null, huge, WebhookSignature.sign(Api.WOO_SECRET, huge))
                .then().statusCode(413).body("error", equalTo("payload_too_large"));
        assertEquals(before, db.webhookTableCounts());
    }

    /** Only the headers are sent: an answer proves the limit was applied before waiting for (and buffering) the body. */
    @Test
    void anOversizedContentLengthIsRefusedBeforeTheBodyIsRead() throws IOException {
        String head = "POST /webhooks/shopify/" + shopifyId + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nX-Shopify-Topic: orders/create\r\n"
                + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n";
        String answer = rawExchange(head, 0);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("\"error\":\"payload_too_large\""), answer);
    }

    /** A chunked body that never ends: it must be cut off once past the limit, not read to the end. */
    @Test
    void aChunkedBodyIsRefusedAsSoonAsItPassesTheLimit() throws IOException {
        String head = "POST /webhooks/woocommerce/" + wooId + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nX-WC-Webhook-Topic: order.created\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
        String answer = rawExchange(head, LIMIT + 64 * 1024);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("\"error\":\"payload_too_large\""), answer);
    }

    @Test
    void aChunkedBodyUnderTheLimitIsBooked() throws Exception {
        byte[] body = wooOrder(7008, wooLine(1, "SKU-A", "3")).getBytes(StandardCharsets.UTF_8);
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + RestAssured.port + "/webhooks/woocommerce/" + wooId))
                .header("Content-Type", "application/json").header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, body))
                // An InputStream of unknown length goes out chunked.
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build();
        var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(3, movements(wooId).get(0).getInteger("quantity"));
    }

    @Test
    void aDeliveryOverHttp2IsBookedToo() throws Exception {
        // h2c, as the JDK client upgrades to by default: the body limit must not break the REST layer's read of it.
        byte[] body = wooOrder(7009, wooLine(1, "SKU-H2", "2")).getBytes(StandardCharsets.UTF_8);
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
        var request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + RestAssured.port + "/webhooks/woocommerce/" + wooId))
                .header("Content-Type", "application/json").header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, body))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        // The first request upgrades the connection; the second one travels as HTTP/2.
        client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, response.version());
        assertEquals(2, movements(wooId).get(0).getInteger("quantity"));
    }

    /**
     * Sends the head and {@code chunkedBytes} of chunked body (no last chunk), then reads the answer. A server that
     * waits for the rest of the body times out the read: the test fails instead of hanging.
     */
    private static String rawExchange(String head, int chunkedBytes) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            try {
                for (int sent = 0; sent < chunkedBytes; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (IOException closedWhileSending) {
                // The server may answer and close before the last chunk: the answer is what matters.
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    answer.write(buf, 0, n);
                    if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within 10 s: the server is waiting for the body; got so far: "
                        + answer.toString(StandardCharsets.UTF_8));
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------------------------------------ B

    @Test
    void theTypedTextBackslashU0000IsBookedAndKeptVerbatim() {
        // JSON text for six characters typed in a field the audit copy keeps (a customer's note is no longer kept):
        // a backslash, then "u0000".
        String typed = "" + BS + BS + "u0000";
        String body = shopifyOrder(7009, shopifyLine(1, "SKU-A", "1")).replace("\"test\": false,",
                "\"test\": false, \"financial_status\": \"typed " + typed + "\", \"note\": \"typed " + typed + "\",");
        shopifySigned(body).then().statusCode(200).body("outcome", equalTo("BOOKED"));
        assertEquals(1, movements(shopifyId).size());
        Row event = db.rows("SELECT payload->>'financial_status' AS kept, payload->>'note' AS note FROM webhook_events"
                + " WHERE store_id = $1", shopifyId).get(0);
        assertEquals("typed " + BS + "u0000", event.getString("kept"));
        assertNull(event.getString("note"), "a customer's note is personal data: not kept");

        String wooBody = wooOrder(7010, wooLine(1, "SKU-A", "1")).replace("\"status\"",
                "\"customer_note\": \"typed " + typed + "\", \"status\"");
        wooSigned(wooBody).then().statusCode(200).body("outcome", equalTo("BOOKED"));
        assertEquals(1, movements(wooId).size());
    }

    @Test
    void aRealNulEscapeIsBookedWithTheNulReplaced() {
        String nul = BS + "u0000";
        String body = shopifyOrder(7011, shopifyLine(1, "SKU-A", "1")).replace("\"test\": false,",
                "\"test\": false, \"financial_status\": \"a" + nul + "b\", \"note\": \"a" + nul + "b\",");
        shopifySigned(body).then().statusCode(200).body("outcome", equalTo("BOOKED"));
        Row event = db.rows("SELECT payload->>'financial_status' AS kept FROM webhook_events WHERE store_id = $1",
                shopifyId).get(0);
        assertEquals("a\uFFFDb", event.getString("kept"));
    }

    @Test
    void aBodyJsonbWouldRefuseIsBookedAndItsCopiesAreStillKept() {
        // A lone surrogate escape and a number beyond JSONB's range are valid JSON for the parser but not for JSONB.
        // The minimised copy is re-serialised by Jackson (and the raw body is TEXT), so neither reaches JSONB as is;
        // the fallback that books without a copy stays for whatever else PostgreSQL may refuse.
        Api.admin().body(java.util.Map.of("keepRawPayloads", true)).patch("/api/stores/" + shopifyId).then()
                .statusCode(200);
        String body = shopifyOrder(7012, shopifyLine(1, "SKU-A", "1")).replace("\"test\": false,",
                "\"test\": false, \"financial_status\": \"" + BS + "ud800\", \"order_number\": 1e999999999,");
        shopifySigned(body).then().statusCode(200).body("outcome", equalTo("BOOKED")).body("movementsCreated", equalTo(1));
        assertEquals(1, movements(shopifyId).size());
        Row event = db.rows("SELECT payload->>'id' AS id, raw_payload FROM webhook_events WHERE store_id = $1",
                shopifyId).get(0);
        assertEquals("7012", event.getString("id"));
        assertTrue(event.getString("raw_payload").contains("1e999999999"), event.getString("raw_payload"));

        String wooBody = wooOrder(7013, wooLine(1, "SKU-A", "1")).replace("\"status\"",
                "\"customer_note\": \"" + BS + "ud800\", \"status\"");
        wooSigned(wooBody).then().statusCode(200).body("outcome", equalTo("BOOKED"));
        assertEquals(1, movements(wooId).size());
        assertEquals(1, db.count("SELECT count(*) FROM storefront_orders WHERE store_id = $1 AND stock_reduced", wooId));
    }

    @Test
    void auditableReadsEscapesPairByPair() {
        assertEquals("{\"a\":\"" + BS + BS + "u0000\"}", WebhookIngestService.auditable("{\"a\":\"" + BS + BS + "u0000\"}"));
        assertEquals("{\"a\":\"" + BS + "ufffd\"}", WebhookIngestService.auditable("{\"a\":\"" + BS + "u0000\"}"));
        assertEquals("{\"a\":\"" + BS + BS + BS + "ufffd\"}",
                WebhookIngestService.auditable("{\"a\":\"" + BS + BS + BS + "u0000\"}"));
    }

    // ------------------------------------------------------------------------------------------------ G

    static final List<String> BAD_QUANTITIES = List.of("2.5", "-1", "0", "1e12", "99999999999", "\"3\"", "null");

    @Test
    void shopifyLinesWithQuantitiesThatAreNotWholeUnitsInRangeAreSkippedWithTheReason() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < BAD_QUANTITIES.size(); i++) {
            lines.add(shopifyLine(i + 1, "BAD-" + i, BAD_QUANTITIES.get(i)));
        }
        lines.add(shopifyLine(99, "GOOD", "2.0"));
        Response r = shopifySigned(shopifyOrder(7014, lines.toArray(String[]::new)));
        r.then().statusCode(200).body("outcome", equalTo("BOOKED")).body("movementsCreated", equalTo(1))
                .body("skippedLines", hasSize(BAD_QUANTITIES.size()));
        assertEquals(List.of("quantity 2.5 is not a whole number of units", "quantity is -1", "quantity is 0",
                "quantity 1.0E12 is out of range (at most 2147483647 units)",
                "quantity 99999999999 is out of range (at most 2147483647 units)", "quantity \"3\" is not a number",
                "quantity is missing"), reasons(r));
        List<Row> m = movements(shopifyId);
        assertEquals(1, m.size());
        assertEquals("GOOD", m.get(0).getString("sku"));
        assertEquals(2, m.get(0).getInteger("quantity"));
    }

    @Test
    void shopifyLinesOfOneSkuWhoseSumOverflowsAreSkippedNotWrapped() {
        Response r = shopifySigned(shopifyOrder(7015, shopifyLine(1, "SKU-A", "2147483647"),
                shopifyLine(2, "SKU-A", "1"), shopifyLine(3, "SKU-B", "4")));
        r.then().statusCode(200).body("movementsCreated", equalTo(1)).body("skippedLines", hasSize(2))
                .body("skippedLines[0].lineId", equalTo("1")).body("skippedLines[1].lineId", equalTo("2"));
        assertTrue(reasons(r).get(0).contains("total 2147483648 units"), reasons(r).toString());
        List<Row> m = movements(shopifyId);
        assertEquals(1, m.size());
        assertEquals("SKU-B", m.get(0).getString("sku"));
        assertEquals(4, m.get(0).getInteger("quantity"));
    }

    @Test
    void shopifyRefundLinesWithBadQuantitiesAreSkipped() {
        String refund = "{\"id\": 8001, \"order_id\": 7016, \"refund_line_items\": ["
                + "{\"id\": 1, \"quantity\": 1.5, \"restock_type\": \"return\", \"line_item\": {\"sku\": \"SKU-A\"}},"
                + "{\"id\": 2, \"quantity\": 1e12, \"restock_type\": \"return\", \"line_item\": {\"sku\": \"SKU-A\"}},"
                + "{\"id\": 3, \"quantity\": \"2\", \"restock_type\": \"return\", \"line_item\": {\"sku\": \"SKU-A\"}}]}";
        byte[] body = refund.getBytes(StandardCharsets.UTF_8);
        given().contentType("application/json").header("X-Shopify-Topic", "refunds/create")
                .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString()).header("X-Shopify-Shop-Domain", shopDomain)
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.SHOPIFY_SECRET, body))
                .body(body).post("/webhooks/shopify/" + shopifyId)
                .then().statusCode(200).body("outcome", equalTo("NOTHING_TO_BOOK")).body("skippedLines", hasSize(3));
        assertEquals(0, movements(shopifyId).size());
    }

    @Test
    void wooCommerceLinesWithBadQuantitiesOrAnOverflowingSumAreSkippedWithTheReason() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < BAD_QUANTITIES.size(); i++) {
            lines.add(wooLine(i + 1, "BAD-" + i, BAD_QUANTITIES.get(i)));
        }
        lines.add(wooLine(50, "BIG", "2147483647"));
        lines.add(wooLine(51, "BIG", "2147483647"));
        lines.add(wooLine(99, "GOOD", "5"));
        Response r = wooSigned(wooOrder(7017, lines.toArray(String[]::new)));
        r.then().statusCode(200).body("outcome", equalTo("BOOKED")).body("movementsCreated", equalTo(1))
                .body("skippedLines", hasSize(BAD_QUANTITIES.size() + 2));
        assertEquals("quantity 2.5 is not a whole number of units", reasons(r).get(0));
        assertEquals("quantity 99999999999 is out of range (at most 2147483647 units)", reasons(r).get(4));
        assertTrue(reasons(r).get(BAD_QUANTITIES.size()).contains("total 4294967294 units"), reasons(r).toString());
        List<Row> m = movements(wooId);
        assertEquals(1, m.size());
        assertEquals("GOOD", m.get(0).getString("sku"));
        assertEquals(5, m.get(0).getInteger("quantity"));
        String booked = db.rows("SELECT booked_lines::text FROM storefront_orders WHERE store_id = $1", wooId).get(0).getString(0);
        assertEquals(false, booked.contains("BIG"), booked);
    }
}
