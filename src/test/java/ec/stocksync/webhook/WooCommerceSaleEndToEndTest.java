package ec.stocksync.webhook;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimMovement;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import ec.stocksync.support.EndToEndApp;
import ec.stocksync.support.Fixtures;
import ec.stocksync.support.OutsideSimulators;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static ec.stocksync.support.EndToEndApp.admin;
import static ec.stocksync.support.Sandbox.await;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A sale from end to end, as in production: a signed WooCommerce delivery, the worker's EGR in Contifico, the
 * post-push pull, the status table. Nothing but HTTP between the test and the app; Contifico and WooCommerce are
 * simulators in this JVM. {@link WooCommerceSaleEndToEndIT} runs the same against the packaged app.
 */
@QuarkusTest
@WithTestResource(EndToEndApp.class)
class WooCommerceSaleEndToEndTest {

    private static final Duration PUSHED_WITHIN = Duration.ofSeconds(60);

    private static OutsideSimulators sims;

    @BeforeAll
    static void startSimulators() {
        sims = OutsideSimulators.start();
    }

    @AfterAll
    static void stopSimulators() throws Exception {
        sims.close();
    }

    @Test
    void aSignedSaleIsBookedInContificoAndContificosFigureReachesTheStatusTableAndTheShop() {
        ContificoSimulator contifico = sims.contifico();
        WooCommerceSimulator woo = sims.woo();
        String sku = "E2E-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        ContificoSimulator.SimWarehouse warehouse = contifico.addWarehouse("E2E" + sku.substring(4), "Bodega Web");
        String productId = contifico.addProduct(sku, "Perfume " + sku, true).id;
        contifico.setStock(productId, warehouse.id(), BigDecimal.valueOf(50));
        // The shop's own figure is not touched by this delivery: the post-push pull must correct it.
        woo.addSimple("Perfume " + sku, sku, 50);

        long storeId = admin().body(Map.of("name", "Tienda Woo " + sku, "platform", "woocommerce",
                        "siteUrl", woo.baseUrl(), "consumerKey", woo.consumerKey(), "consumerSecret", woo.consumerSecret(),
                        "webhookSecret", EndToEndApp.WOO_WEBHOOK_SECRET))
                .post("/api/stores").then().statusCode(201).extract().jsonPath().getLong("id");
        admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey", contifico.apiKey(),
                        "warehouseId", warehouse.id()))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(201);

        // WooCommerce's own sample order: one line without a SKU (skipped), one of our SKU, quantity 1.
        byte[] order = Fixtures.edited("woocommerce/order.json", "\"sku\": \"Bar3\"", "\"sku\": \"" + sku + "\"");
        given().contentType("application/json")
                .header("X-WC-Webhook-Source", woo.baseUrl() + "/")
                .header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Resource", "order")
                .header("X-WC-Webhook-Event", "created")
                .header("X-WC-Webhook-Signature", sign(EndToEndApp.WOO_WEBHOOK_SECRET, order))
                .body(order)
                .post("/webhooks/woocommerce/" + storeId)
                .then().statusCode(200).body("movementsCreated", equalTo(1));

        await("the sale's movement DONE", PUSHED_WITHIN, () -> "DONE".equals(admin()
                .get("/api/movements?storeId=" + storeId + "&sku=" + sku).then().statusCode(200).extract()
                .jsonPath().getString("items[0].status")));

        List<SimMovement> booked = contifico.movements();
        assertEquals(1, booked.size(), "one Contifico movement: " + booked);
        SimMovement egr = booked.get(0);
        assertEquals("EGR", egr.tipo());
        assertEquals(warehouse.id(), egr.bodegaId());
        assertEquals(productId, egr.detalles().get(0).productoId());
        assertEquals(0, BigDecimal.ONE.compareTo(egr.detalles().get(0).cantidad()), egr.toString());
        assertEquals(0, BigDecimal.valueOf(49).compareTo(contifico.stock(productId, warehouse.id())));

        await("the status row of the sale", PUSHED_WITHIN,
                () -> "SALE".equals(statusPage(storeId, sku).getString("items[0].trigger")));
        JsonPath page = statusPage(storeId, sku);
        assertEquals(sku, page.getString("items[0].sku"));
        assertEquals(49, page.getInt("items[0].contificoStock"));
        assertEquals(49, page.getInt("items[0].storeStock"));
        assertEquals("SYNCED", page.getString("items[0].status"));
        assertEquals(49, woo.stockOf(sku), "the shop shows Contifico's figure");
    }

    private static JsonPath statusPage(long storeId, String sku) {
        return admin().get("/api/sync-status?storeId=" + storeId + "&q=" + sku).then().statusCode(200).extract().jsonPath();
    }

    /** As WooCommerce signs: base64 of the HMAC-SHA256 of the exact body bytes under the webhook secret. */
    private static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
