package ec.stocksync.observability;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Fixtures;
import ec.stocksync.support.Sandbox;
import ec.stocksync.webhook.WebhookSignature;
import io.restassured.response.ValidatableResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/**
 * The whole life of a sale as the outside world drives it, over HTTP: a store registered with every kind of secret, a
 * Shopify order full of customer data delivered as a signed webhook, the worker's push to the Contifico simulator and
 * its post-push pull, then a manual full pull. Shared by the log and the metrics tests.
 */
final class ObservabilityFlow {

    static final String SKU = "IPOD2008PINK";
    static final String SHOP_DOMAIN = "obs-shop.myshopify.com";

    // Secrets given to the API: none may ever reach a log line.
    static final String WEBHOOK_SECRET = "obs-webhook-secret-4c1d9a";
    static final String PREVIOUS_WEBHOOK_SECRET = "obs-previous-webhook-secret-88e2";
    static final String POS_TOKEN = "obs-pos-token-b7f3";
    static final String WOO_CONSUMER_KEY = "ck_obs_5e1f0a9b";
    static final String WOO_CONSUMER_SECRET = "cs_obs_77d2c4e1";
    static final String WOO_WEBHOOK_SECRET = "obs-woo-webhook-secret-31aa";

    /** From shopify/orders-create.json, plus a note and an IP: the customer's e-mails, names, address, phone. */
    static final String NOTE = "Dejar con el conserje, Jon";
    static final String IP = "203.0.113.77";
    static final List<String> PERSONAL = List.of("jon@example.com", "john@example.com", "Smith", "Steve Shipper",
            "Shipper", "123 Shipping Street", "555-555-SHIP", "Shippington", "40003", "Shipping Company", NOTE, IP);

    record Run(long storeId, long integrationId, long movementId, long pullRunId, List<String> secrets) {
    }

    private ObservabilityFlow() {
    }

    static Run run(Sandbox sandbox, Db db, Runnable startWorker) {
        sandbox.reset();
        Map<String, Object> store = new HashMap<>();
        store.put("name", "Obs " + UUID.randomUUID());
        store.put("platform", "shopify");
        store.put("shopDomain", SHOP_DOMAIN);
        store.put("apiBaseUrl", sandbox.shopify().baseUrl());
        store.put("accessToken", sandbox.shopify().accessToken());
        store.put("locationId", sandbox.shopify().locationId());
        store.put("webhookSecret", WEBHOOK_SECRET);
        store.put("previousWebhookSecret", PREVIOUS_WEBHOOK_SECRET);
        long storeId = Api.createStore(store);
        ContificoSimulator.SimWarehouse warehouse = sandbox.contifico().addWarehouse("OBS" + (System.nanoTime() % 1000),
                "Bodega Obs");
        long integrationId = Api.admin().body(Map.of("provider", "contifico", "baseUrl", sandbox.contifico().baseUrl(),
                        "apiKey", sandbox.contifico().apiKey(), "posToken", POS_TOKEN, "warehouseId", warehouse.id()))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
        // A second store whose secrets are of the other platform's kinds.
        Api.createStore(Map.of("name", "Obs Woo " + UUID.randomUUID(), "platform", "woocommerce",
                "siteUrl", "https://woo.example.com", "consumerKey", WOO_CONSUMER_KEY,
                "consumerSecret", WOO_CONSUMER_SECRET, "webhookSecret", WOO_WEBHOOK_SECRET));
        sandbox.product(new Sandbox.Wired(storeId, integrationId, warehouse.id()), SKU, 40, 40);

        deliver(storeId, orderWithCustomerData(), WEBHOOK_SECRET).statusCode(200);
        startWorker.run();
        Sandbox.await("the sale pushed and pulled back", Duration.ofSeconds(20), () -> db.count(
                "SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'", storeId) == 1);
        long movementId = db.rows("SELECT id FROM inventory_movements_queue WHERE store_id = $1", storeId).get(0)
                .getLong(0);

        long pullRunId = Api.admin().body(Map.of("mode", "full")).post("/api/stores/" + storeId + "/pull?wait=true")
                .then().statusCode(200).extract().jsonPath().getLong("id");

        return new Run(storeId, integrationId, movementId, pullRunId, List.of(WEBHOOK_SECRET, PREVIOUS_WEBHOOK_SECRET,
                POS_TOKEN, WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET, WOO_WEBHOOK_SECRET, sandbox.shopify().accessToken(),
                sandbox.contifico().apiKey(), Api.ADMIN_TOKEN));
    }

    /** The fixture as a live order (not a test one) with a customer note and IP filled in. */
    static byte[] orderWithCustomerData() {
        String text = Fixtures.text("shopify/orders-create.json")
                .replace("\"test\": true,", "\"test\": false,")
                .replaceFirst("\"note\": null", "\"note\": \"" + NOTE + "\"")
                .replaceFirst("\"browser_ip\": null", "\"browser_ip\": \"" + IP + "\"");
        for (String value : PERSONAL) {
            if (!text.contains(value)) {
                throw new IllegalStateException("the fixture no longer carries " + value);
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static ValidatableResponse deliver(long storeId, byte[] body, String secret) {
        var req = given().contentType("application/json").header("X-Shopify-Topic", "orders/create")
                .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString())
                .header("X-Shopify-Shop-Domain", SHOP_DOMAIN)
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(secret, body));
        return ec.stocksync.support.Api.sized(req, body).body(body).post("/webhooks/shopify/" + storeId).then();
    }
}
