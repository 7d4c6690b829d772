package ec.stocksync.support;

import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import ec.stocksync.webhook.WebhookSignature;
import io.restassured.response.ValidatableResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;

/**
 * A Shopify store wired to the Shopify and Contifico simulators, the way a merchant wires a real one, plus signed sales.
 */
@ApplicationScoped
public class Sandbox {

    private static final AtomicLong ORDER_IDS = new AtomicLong(7_000_000_000_000_000_000L);

    @Inject
    ContificoSandbox contificoSandbox;
    @Inject
    ShopifySimulator shopify;
    @Inject
    WooCommerceSimulator woo;
    @Inject
    Db db;

    public WooCommerceSimulator woo() {
        return woo;
    }

    public ContificoSimulator contifico() {
        return contificoSandbox.simulator();
    }

    public ShopifySimulator shopify() {
        return shopify;
    }

    /** Fresh simulators and a queue with no leftovers from earlier tests. */
    public void reset() {
        db.rows("UPDATE inventory_movements_queue SET status = 'DEAD', last_error = 'test isolation',"
                + " lease_owner = NULL WHERE status IN ('PENDING', 'IN_PROGRESS') RETURNING id");
        contifico().reset();
        contifico().clearFaults();
        shopify.reset();
        woo.reset();
    }

    public record Wired(long storeId, long integrationId, String warehouseId) {
    }

    /** A Shopify store whose admin API is the Shopify simulator (no Contifico integration yet). */
    public long shopifyStoreOnly() {
        Map<String, Object> store = new HashMap<>();
        store.put("name", "Sandbox " + UUID.randomUUID());
        store.put("platform", "shopify");
        store.put("shopDomain", "sandbox.myshopify.com");
        store.put("apiBaseUrl", shopify.baseUrl());
        store.put("accessToken", shopify.accessToken());
        store.put("locationId", shopify.locationId());
        store.put("webhookSecret", Api.SHOPIFY_SECRET);
        return Api.createStore(store);
    }

    /** A WooCommerce store whose REST API is the WooCommerce simulator (no Contifico integration yet). */
    public long wooStoreOnly() {
        return Api.createStore(Map.of("name", "Woo " + UUID.randomUUID(), "platform", "woocommerce",
                "siteUrl", woo.baseUrl(), "consumerKey", woo.consumerKey(), "consumerSecret", woo.consumerSecret(),
                "webhookSecret", Api.WOO_SECRET));
    }

    /** A Shopify store with a Contifico integration, both pointing at the simulators. */
    public Wired shopifyStore() {
        return integrate(shopifyStoreOnly(), "BOD" + (System.nanoTime() % 1000), "Bodega Principal");
    }

    /** A WooCommerce store with a Contifico integration, both pointing at the simulators. */
    public Wired wooStore() {
        return integrate(wooStoreOnly(), "BODW", "Bodega Web");
    }

    private Wired integrate(long storeId, String warehouseCode, String warehouseName) {
        ContificoSimulator.SimWarehouse warehouse = contifico().addWarehouse(warehouseCode, warehouseName);
        long integrationId = Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico().baseUrl(),
                        "apiKey", contifico().apiKey(), "warehouseId", warehouse.id()))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
        return new Wired(storeId, integrationId, warehouse.id());
    }

    /** A product in Contifico only, with its stock in the store's warehouse. */
    public String contificoProduct(Wired w, String sku, int stock) {
        ContificoSimulator.SimProduct p = contifico().addProduct(sku, "Producto " + sku, true);
        contifico().setStock(p.id, w.warehouseId(), BigDecimal.valueOf(stock));
        return p.id;
    }

    /** The same SKU on both sides: Contifico with {@code contificoStock}, Shopify with {@code shopifyStock}. */
    public String product(Wired w, String sku, int contificoStock, int shopifyStock) {
        ContificoSimulator.SimProduct p = contifico().addProduct(sku, "Producto " + sku, true);
        contifico().setStock(p.id, w.warehouseId(), BigDecimal.valueOf(contificoStock));
        shopify.addProduct("Producto " + sku, ShopifySimulator.variant(sku, "Default", shopifyStock));
        return p.id;
    }

    /** A signed Shopify orders/create of one line. */
    public ValidatableResponse sell(long storeId, String sku, int quantity) {
        long orderId = ORDER_IDS.incrementAndGet();
        String body = """
                {"id": %d, "name": "#%d", "test": false, "line_items": [
                  {"id": %d, "sku": "%s", "quantity": %d, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                .formatted(orderId, orderId % 100000, orderId + 1, sku, quantity);
        return deliverShopify(storeId, "orders/create", body);
    }

    /** The same SKU on both sides of a WooCommerce store: Contifico with {@code contificoStock}, WooCommerce with {@code wooStock}. */
    public String wooProduct(Wired w, String sku, int contificoStock, int wooStock) {
        ContificoSimulator.SimProduct p = contifico().addProduct(sku, "Producto " + sku, true);
        contifico().setStock(p.id, w.warehouseId(), BigDecimal.valueOf(contificoStock));
        woo.addSimple("Producto " + sku, sku, wooStock);
        return p.id;
    }

    /** A signed WooCommerce order.created of one line in status processing (the status that takes stock). */
    public ValidatableResponse sellWoo(long storeId, String sku, int quantity) {
        long orderId = ORDER_IDS.incrementAndGet() % 1_000_000_000L;
        String body = """
                {"id": %d, "number": "%d", "status": "processing", "date_modified_gmt": "2026-12-01T10:00:00",
                 "line_items": [{"id": %d, "product_id": 1, "variation_id": 0, "quantity": %d, "sku": "%s"}]}"""
                .formatted(orderId, orderId, orderId + 1, quantity, sku);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return given().contentType("application/json").header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Resource", "order").header("X-WC-Webhook-Event", "created")
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, bytes))
                .body(bytes).post("/webhooks/woocommerce/" + storeId).then().statusCode(200);
    }

    /** A Shopify webhook, signed with the test secret, delivered as Shopify does; expects 200. */
    public static ValidatableResponse deliverShopify(long storeId, String topic, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // A delivery must name the store's own shop (DESIGN rule 11).
        String shopDomain = Api.admin().get("/api/stores/" + storeId).then().statusCode(200).extract().jsonPath()
                .getString("shopDomain");
        return given().contentType("application/json").header("X-Shopify-Topic", topic)
                .header("X-Shopify-Shop-Domain", shopDomain)
                .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString())
                .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(Api.SHOPIFY_SECRET, bytes))
                .body(bytes).post("/webhooks/shopify/" + storeId).then().statusCode(200);
    }

    /** {@link #await} polling every millisecond, for benchmarks that time the moment a condition becomes true. */
    public static void awaitFast(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
