package ec.stocksync.support;

import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Admin API calls as a real client makes them. */
public final class Api {

    public static final String ADMIN_TOKEN = "test-admin-token";
    public static final String SHOPIFY_SECRET = "test-shopify-client-secret";
    public static final String WOO_SECRET = "test-woocommerce-webhook-secret";

    private Api() {
    }

    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType("application/json");
    }

    public static long createShopifyStore() {
        return createStore(Map.of("name", "Tienda Shopify " + UUID.randomUUID(), "platform", "shopify",
                "shopDomain", "demo-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com",
                "accessToken", "shpat_secret_token", "webhookSecret", SHOPIFY_SECRET, "locationId", "655441491"));
    }

    public static long createWooStore() {
        return createStore(Map.of("name", "Tienda Woo " + UUID.randomUUID(), "platform", "woocommerce",
                "siteUrl", "https://woo.example.com", "consumerKey", "ck_secret_key", "consumerSecret", "cs_secret",
                "webhookSecret", WOO_SECRET));
    }

    public static long createStore(Map<String, Object> body) {
        return admin().body(body).post("/api/stores").then().statusCode(201).extract().jsonPath().getLong("id");
    }
}
