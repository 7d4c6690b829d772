package ec.stocksync.store;

import com.sun.net.httpserver.HttpServer;
import ec.stocksync.support.Api;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11 D through the API: a stored credential never follows a URL change, and saved URLs obey the policy. */
@QuarkusTest
class OutboundUrlSecurityTest {

    @Inject
    Sandbox sandbox;

    /** A stand-in for "another host": records every request's headers, answers what the test says. */
    HttpServer otherHost;
    final List<String> seenHeaders = new CopyOnWriteArrayList<>();
    volatile int answerStatus = 503;
    volatile String answerBody = "{}";

    @BeforeEach
    void startOtherHost() throws IOException {
        otherHost = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otherHost.createContext("/", exchange -> {
            seenHeaders.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + new java.util.TreeMap<>(exchange.getRequestHeaders()));
            byte[] body = answerBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answerStatus, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        otherHost.start();
    }

    @AfterEach
    void stopOtherHost() {
        otherHost.stop(0);
    }

    String otherBaseUrl() {
        return "http://127.0.0.1:" + otherHost.getAddress().getPort() + "/sistema/api";
    }

    long integration(long storeId, String warehouseId) {
        var contifico = sandbox.contifico();
        return Api.admin().body(Map.of("provider", "contifico", "baseUrl", contifico.baseUrl(),
                        "apiKey", contifico.apiKey(), "warehouseId", warehouseId))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    @Test
    void movingAnIntegrationWithoutItsApiKeyIsRefusedAndTheStoredKeyIsNeverSentToTheNewHost() {
        var warehouse = sandbox.contifico().addWarehouse("BODURL", "Bodega URL");
        long storeId = Api.createShopifyStore();
        long integrationId = integration(storeId, warehouse.id());
        String storedKey = sandbox.contifico().apiKey();
        String storedUrl = Api.admin().get("/api/stores/" + storeId + "/integrations").then().extract().jsonPath()
                .getString("[0].baseUrl");

        Api.admin().body(Map.of("baseUrl", otherBaseUrl()))
                .patch("/api/stores/" + storeId + "/integrations/" + integrationId).then().statusCode(400)
                .body("error", equalTo("credential_required"))
                .body("message", allOf(containsString("apiKey"), containsString("baseUrl")));
        Api.admin().get("/api/stores/" + storeId + "/integrations").then()
                .body("[0].baseUrl", equalTo(storedUrl));
        assertTrue(seenHeaders.isEmpty(), "the new host must not be called at all: " + seenHeaders);

        // With the key for the new host it is accepted (the host is down, 503: saved unchecked), and only that key travels.
        Api.admin().body(Map.of("baseUrl", otherBaseUrl(), "apiKey", "KEY-FOR-THE-NEW-HOST"))
                .patch("/api/stores/" + storeId + "/integrations/" + integrationId).then().statusCode(200)
                .body("baseUrl", equalTo(otherBaseUrl()));
        assertFalse(seenHeaders.isEmpty(), "the integration is re-checked at its new address");
        for (String request : seenHeaders) {
            assertTrue(request.contains("KEY-FOR-THE-NEW-HOST"), request);
            assertFalse(request.contains(storedKey), "stored key sent to the new host: " + request);
        }
    }

    @Test
    void movingAStorefrontApiRequiresItsCredentialsAgain() {
        long shop = Api.createShopifyStore();
        String before = Api.admin().get("/api/stores/" + shop).then().extract().jsonPath().getString("apiBaseUrl");
        Api.admin().body(Map.of("apiBaseUrl", otherBaseUrl())).patch("/api/stores/" + shop).then().statusCode(400)
                .body("error", equalTo("credential_required")).body("message", containsString("accessToken"));
        Api.admin().body(Map.of("shopDomain", "another-shop.myshopify.com")).patch("/api/stores/" + shop).then()
                .statusCode(400).body("error", equalTo("credential_required"));
        Api.admin().get("/api/stores/" + shop).then().body("apiBaseUrl", equalTo(before))
                .body("shopDomain", not(equalTo("another-shop.myshopify.com")));
        Api.admin().body(Map.of("apiBaseUrl", otherBaseUrl(), "accessToken", "shpat_for_new_host"))
                .patch("/api/stores/" + shop).then().statusCode(200).body("apiBaseUrl", equalTo(otherBaseUrl()));
        // Settings that do not move the API need no credential.
        Api.admin().body(Map.of("name", "Renamed")).patch("/api/stores/" + shop).then().statusCode(200);

        long woo = Api.createWooStore();
        Api.admin().body(Map.of("siteUrl", "https://moved.example.com", "consumerKey", "ck_only_the_key"))
                .patch("/api/stores/" + woo).then().statusCode(400)
                .body("error", equalTo("credential_required")).body("message", containsString("consumerSecret"));
        Api.admin().get("/api/stores/" + woo).then().body("siteUrl", equalTo("https://woo.example.com"));
        Api.admin().body(Map.of("siteUrl", "https://moved.example.com", "consumerKey", "ck_new", "consumerSecret", "cs_new"))
                .patch("/api/stores/" + woo).then().statusCode(200).body("siteUrl", equalTo("https://moved.example.com"));
    }

    @Test
    void privateAndMetadataAddressesAreRefusedWhenAUrlIsSaved() {
        long storeId = Api.createShopifyStore();
        Api.admin().body(Map.of("provider", "contifico", "baseUrl", "http://169.254.169.254/latest/meta-data",
                        "apiKey", "k", "warehouseId", "w"))
                .post("/api/stores/" + storeId + "/integrations").then().statusCode(400)
                .body("error", equalTo("invalid_field"))
                .body("message", allOf(containsString("baseUrl"), containsString("metadata")));
        Api.admin().body(Map.of("apiBaseUrl", "https://10.0.0.5/admin", "accessToken", "shpat_x"))
                .patch("/api/stores/" + storeId).then().statusCode(400)
                .body("message", allOf(containsString("apiBaseUrl"), containsString("private address")));
        Api.admin().body(Map.of("apiBaseUrl", "https://[fd00:ec2::254]/", "accessToken", "shpat_x"))
                .patch("/api/stores/" + storeId).then().statusCode(400)
                .body("message", containsString("private address"));
        Api.admin().get("/api/stores/" + storeId + "/integrations").then().body("size()", equalTo(0));
    }

    @Test
    void anUpstreamAnswerIsRepeatedOnlyShortAndClean() {
        long storeId = Api.createShopifyStore();
        long integrationId = integration(storeId, sandbox.contifico().addWarehouse("BODSAN", "Bodega San").id());
        String storedUrl = Api.admin().get("/api/stores/" + storeId + "/integrations").then().extract().jsonPath()
                .getString("[0].baseUrl");
        // A hostile or broken host names its warehouse with a forged log line, an escape sequence and 5000 characters.
        String evil = "Bodega\n2026-01-01 ERROR forged line\u001b[31m " + "x".repeat(5000);
        answerStatus = 200;
        answerBody = "[{\"id\":\"OTHER\",\"nombre\":" + io.vertx.core.json.Json.encode(evil) + "}]";
        String message = Api.admin().body(Map.of("baseUrl", otherBaseUrl(), "apiKey", "KEY2", "warehouseId", "NOPE"))
                .patch("/api/stores/" + storeId + "/integrations/" + integrationId).then().statusCode(400)
                .body("message", containsString("warehouseId")).extract().jsonPath().getString("message");
        assertTrue(message.length() < 400, "message not capped: " + message.length());
        assertFalse(message.chars().anyMatch(Character::isISOControl), message);
        assertFalse(message.contains("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), message);
        assertEquals(storedUrl, Api.admin().get("/api/stores/" + storeId + "/integrations")
                .then().extract().jsonPath().getString("[0].baseUrl"));
    }
}
