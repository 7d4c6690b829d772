package ec.stocksync.sandbox.demo;

import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class DemoSaleTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    Sandbox.Wired store;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
    }

    @AfterEach
    void tearDown() {
        worker.main().stop();
    }

    @Test
    void theSampleSaleIsASignedWebhookOverHttpThatEndsAsAPorVentaRow() {
        sandbox.product(store, "PT-0002-50ml", 101, 101);
        Api.admin().body(Map.of("skus", List.of("PT-0002-50ml"), "skipRecentPushCheck", true))
                .post("/api/stores/" + store.storeId() + "/pull/selective").then().statusCode(200);
        worker.main().start();

        Api.admin().body(Map.of("storeId", store.storeId(), "sku", "PT-0002-50ml", "quantity", 3))
                .post("/api/demo/sale").then().statusCode(200)
                .body("webhookStatus", equalTo(200))
                .body("webhookResponse.movementsCreated", equalTo(1));

        Row event = db.rows("SELECT * FROM webhook_events WHERE store_id = $1", store.storeId()).get(0);
        assertEquals("orders/create", event.getString("topic"));
        assertEquals("BOOKED", event.getString("outcome"));
        // The simulated shop took the units when it "created the order", as Shopify does.
        assertEquals(98, sandbox.shopify().available("PT-0002-50ml"));

        Sandbox.await("the SALE row", Duration.ofSeconds(15), () -> "SALE".equals(Api.admin()
                .get("/api/sync-status?storeId=" + store.storeId()).then().extract().path("items[0].trigger")));
        Api.admin().get("/api/sync-status?storeId=" + store.storeId()).then()
                .body("items[0].storeStock", equalTo(98)).body("items[0].contificoStock", equalTo(98))
                .body("items[0].status", equalTo("SYNCED"));
    }

    @Test
    void theSampleSaleNeedsTheAdminTokenAndASkuAndAShopifyStore() {
        given().contentType("application/json").body(Map.of("storeId", store.storeId(), "sku", "X"))
                .post("/api/demo/sale").then().statusCode(401);
        Api.admin().body(Map.of("storeId", store.storeId())).post("/api/demo/sale").then().statusCode(400)
                .body("message", containsString("sku"));
        Api.admin().body(Map.of("storeId", store.storeId(), "sku", "X", "quantity", 0)).post("/api/demo/sale")
                .then().statusCode(400).body("message", containsString("quantity"));
        Api.admin().body(Map.of("storeId", Api.createWooStore(), "sku", "X")).post("/api/demo/sale").then()
                .statusCode(409).body("error", equalTo("not_shopify"));
        Api.admin().body(Map.of("storeId", 999999999, "sku", "X")).post("/api/demo/sale").then().statusCode(404)
                .body("error", equalTo("store_not_found"));
        // A SKU the simulated shop does not sell is refused before any webhook goes out.
        long events = db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", store.storeId());
        Api.admin().body(Map.of("storeId", store.storeId(), "sku", "NOPE")).post("/api/demo/sale").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("does not sell NOPE"));
        assertEquals(events, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", store.storeId()));
        // Tests have no demo store: the store must be named.
        Api.admin().body(Map.of("sku", "X")).post("/api/demo/sale").then().statusCode(400)
                .body("message", containsString("storeId"));
    }

    /** Prod has no demo at all (SandboxAbsentFromProdIT); tests have the endpoint, and no demo store unless they wire one. */
    @Test
    void withTheDemoSwitchOffTheDemoBarHasSkusButNoStoreIsCreated() {
        Api.admin().get("/api/demo").then().statusCode(200)
                .body("enabled", equalTo(true))
                .body("demoStoreId", nullValue())
                .body("skus", hasItem("PT-0002-50ml"));
        assertEquals(0, db.count("SELECT count(*) FROM stores WHERE shop_domain = $1", DemoSetup.SHOP_DOMAIN));
    }

    @Test
    void resettingTheDemoBringsTheInitialFiguresIntoTheTableAtOnce() {
        long demoStore = Api.admin().post("/api/demo/reset").then().statusCode(200).extract().jsonPath()
                .getLong("demoStoreId");
        // A session of demo sales moved both sides away from the seed.
        sandbox.shopify().setAvailable("PT-0002-50ml", 80);
        sandbox.contifico().setStock("lY4erkB4vtrVa2Lz", "nRMdROzqhvDZel6Y", java.math.BigDecimal.valueOf(80));
        Api.admin().body(Map.of("skus", List.of("PT-0002-50ml"), "skipRecentPushCheck", true))
                .post("/api/stores/" + demoStore + "/pull/selective").then().statusCode(200);
        Api.admin().get("/api/sync-status?storeId=" + demoStore + "&q=PT-0002-50ml").then()
                .body("items[0].contificoStock", equalTo(80));

        Api.admin().post("/api/demo/reset").then().statusCode(200);
        // No later pull needed: the answer comes once the table holds the seed's figures.
        Api.admin().get("/api/sync-status?storeId=" + demoStore + "&q=PT-0002-50ml").then()
                .body("items[0].storeStock", equalTo(101)).body("items[0].contificoStock", equalTo(101))
                .body("items[0].status", equalTo("SYNCED"));
        Api.admin().get("/api/sync-status?storeId=" + demoStore + "&q=NEG-0005").then()
                .body("items[0].storeStock", equalTo(0)).body("items[0].contificoStock", equalTo(-5));
        assertEquals(101, sandbox.shopify().available("PT-0002-50ml"));
    }
}
