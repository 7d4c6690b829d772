package ec.stocksync.support;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Admin API calls as a real client makes them. */
public final class Api {

    /**
     * For bodies over the webhook limit: ask before sending ({@code Expect: 100-continue}, as curl does). The service
     * answers 413 from the headers and closes the connection; a client that writes the whole body first can hit the
     * closed socket (broken pipe) before it reads that answer, depending on socket buffers and load.
     */
    public static final RestAssuredConfig ASK_BEFORE_SENDING = RestAssured.config()
            .httpClient(HttpClientConfig.httpClientConfig().setParam("http.protocol.expect-continue", true));

    /** {@code spec}, asking before sending when {@code body} is over 1 MiB. */
    public static RequestSpecification sized(RequestSpecification spec, byte[] body) {
        return body.length > 1024 * 1024 ? spec.config(ASK_BEFORE_SENDING) : spec;
    }


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
