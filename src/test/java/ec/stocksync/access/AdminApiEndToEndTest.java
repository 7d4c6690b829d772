package ec.stocksync.access;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import ec.stocksync.support.EndToEndApp;
import ec.stocksync.support.OutsideSimulators;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static ec.stocksync.support.EndToEndApp.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An operator's first hour with the admin API, over HTTP only: no token is a 401, a store and its Contifico integration
 * are registered and listed without their secrets, and a read-only token bound to one store sees that store and
 * nothing else, until it is revoked. {@link AdminApiEndToEndIT} runs the same against the packaged app, where the
 * store scoping rests on annotations read at run time, the part a native image could lose.
 */
@QuarkusTest
@WithTestResource(EndToEndApp.class)
class AdminApiEndToEndTest {

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
    void withoutATokenTheApiAnswers401AndNamesTheScheme() {
        given().get("/api/stores").then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"))
                .body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer not-a-token").get("/api/stores").then().statusCode(401);
    }

    @Test
    void aStoreAndItsIntegrationAreRegisteredAndListedWithoutTheirSecrets() {
        WooCommerceSimulator woo = sims.woo();
        ContificoSimulator contifico = sims.contifico();
        String warehouseId = contifico.addWarehouse("ADM" + UUID.randomUUID().toString().substring(0, 4), "Bodega Admin").id();

        ExtractableResponse<Response> created = admin().body(wooStore("Tienda Admin")).post("/api/stores").then()
                .statusCode(201).body("platform", equalTo("woocommerce"))
                .body("credentials.consumerSecretSet", equalTo(true)).body("credentials.webhookSecretSet", equalTo(true))
                .extract();
        long storeId = created.jsonPath().getLong("id");
        assertFalse(created.asString().contains(woo.consumerSecret()), created.asString());
        assertEquals("/webhooks/woocommerce/" + storeId, created.jsonPath().getString("webhookPath"));

        ExtractableResponse<Response> integration = admin()
                .body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(), "apiKey", contifico.apiKey(),
                        "warehouseId", warehouseId))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(201)
                .body("warehouseId", equalTo(warehouseId)).body("apiKeySet", equalTo(true)).extract();
        assertFalse(integration.asString().contains(contifico.apiKey()), integration.asString());

        admin().get("/api/stores").then().statusCode(200).body("id", hasItem((int) storeId));
        admin().get("/api/stores/" + storeId).then().statusCode(200)
                .body("webhookPath", equalTo("/webhooks/woocommerce/" + storeId));
        admin().get("/api/stores/" + storeId + "/integrations").then().statusCode(200)
                .body("warehouseId", equalTo(List.of(warehouseId)))
                .body("baseUrl", equalTo(List.of(contifico.baseUrl())));
        // Every write is audited, with the token that made it.
        admin().get("/api/audit?storeId=" + storeId).then().statusCode(200)
                .body("items.path", hasItems("/api/stores", "/api/stores/" + storeId + "/integrations"))
                .body("items.tokenName", hasItem("bootstrap"));
    }

    @Test
    void aReadOnlyStoreTokenSeesItsStoreOnlyAndStopsWorkingWhenRevoked() {
        long own = admin().body(wooStore("Tienda propia")).post("/api/stores").then().statusCode(201).extract()
                .jsonPath().getLong("id");
        long other = admin().body(wooStore("Tienda ajena")).post("/api/stores").then().statusCode(201).extract()
                .jsonPath().getLong("id");

        ExtractableResponse<Response> issued = admin()
                .body(Map.of("name", "mostrador", "storeId", own, "access", "read-only", "expiresInDays", 1))
                .post("/api/tokens").then().statusCode(201).body("token", startsWith("sst_")).extract();
        String token = issued.jsonPath().getString("token");
        long tokenId = issued.jsonPath().getLong("id");
        admin().get("/api/tokens").then().statusCode(200).body("token", not(hasItem(token)));

        as(token).get("/api/me").then().statusCode(200).body("scope", equalTo("store"))
                .body("storeId", equalTo((int) own)).body("access", equalTo("read-only"));
        // A method marked @StoreScoped and a class marked @StoreScoped.
        as(token).get("/api/stores/" + own).then().statusCode(200).body("id", equalTo((int) own));
        as(token).get("/api/sync-status?storeId=" + own).then().statusCode(200).body("storeId", equalTo((int) own));
        // Another store answers like one that does not exist.
        as(token).get("/api/stores/" + other).then().statusCode(404);
        as(token).get("/api/stores").then().statusCode(200).body("id", equalTo(List.of((int) own)));
        // Admin-only endpoints and writes are refused.
        as(token).get("/api/tokens").then().statusCode(403).body("error", equalTo("forbidden"));
        as(token).body(Map.of("name", "Otro nombre")).patch("/api/stores/" + own).then().statusCode(403)
                .body("error", equalTo("read_only_token"));

        admin().delete("/api/tokens/" + tokenId).then().statusCode(200);
        as(token).get("/api/me").then().statusCode(401);
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json");
    }

    private static Map<String, Object> wooStore(String name) {
        WooCommerceSimulator woo = sims.woo();
        return Map.of("name", name + " " + UUID.randomUUID(), "platform", "woocommerce", "siteUrl", woo.baseUrl(),
                "consumerKey", woo.consumerKey(), "consumerSecret", woo.consumerSecret(),
                "webhookSecret", EndToEndApp.WOO_WEBHOOK_SECRET);
    }
}
