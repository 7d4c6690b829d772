package ec.stocksync.sandbox.storefront;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static ec.stocksync.sandbox.storefront.ShopifySimulator.variant;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The simulators' own contract: admin fault switches over HTTP and Shopify's 2026-04 write rules. */
@QuarkusTest
class SimulatorAdminTest {

    @Inject
    ShopifySimulator shopify;
    @Inject
    WooCommerceSimulator woo;

    @BeforeEach
    void reset() {
        shopify.reset();
        woo.reset();
    }

    private String mutation(String key, String inventoryItemId, Integer changeFrom, int quantity) {
        JsonObject q = new JsonObject().put("inventoryItemId", inventoryItemId).put("locationId", shopify.locationGid())
                .put("quantity", quantity).put("changeFromQuantity", changeFrom);
        return new JsonObject().put("query", "mutation { inventorySetQuantities(input: $input) @idempotent(key: \"" + key + "\") "
                        + "{ userErrors { code } } }")
                .put("variables", new JsonObject().put("input", new JsonObject().put("name", "available").put("reason", "correction")
                        .put("quantities", new JsonArray().add(q)))).encode();
    }

    @Test
    void faultSwitchedOnOverHttpAppliesTheGivenNumberOfTimes() {
        woo.addSimple("Mug", "MUG-1", 5);
        given().body("{\"type\":\"ERROR_500\",\"times\":2,\"endpoint\":\"GET /products\"}")
                .post(woo.baseUrl() + "/__sim/faults").then().statusCode(201);

        for (int status : new int[]{500, 500, 200}) {
            given().auth().preemptive().basic(woo.consumerKey(), woo.consumerSecret())
                    .get(woo.baseUrl() + "/wp-json/wc/v3/products?sku=MUG-1").then().statusCode(status);
        }
        assertEquals(3, woo.count(WooCommerceSimulator.LIST_PRODUCTS));

        given().post(woo.baseUrl() + "/__sim/reset").then().statusCode(204);
        assertEquals(0, woo.requests().size());
    }

    @Test
    void sameIdempotencyKeyReplaysTheFirstAnswerWithoutWritingAgain() {
        String item = shopify.addProduct("Mug", variant("MUG-1", "Default", 5)).get(0).inventoryItemId;

        given().header("X-Shopify-Access-Token", shopify.accessToken()).body(mutation("k-1", item, 5, 9))
                .post(shopify.baseUrl() + "/admin/api/2026-04/graphql.json")
                .then().statusCode(200).body("data.inventorySetQuantities.userErrors.size()", equalTo(0));
        given().header("X-Shopify-Access-Token", shopify.accessToken()).body(mutation("k-1", item, 5, 9))
                .post(shopify.baseUrl() + "/admin/api/2026-04/graphql.json")
                .then().statusCode(200).body("data.inventorySetQuantities.userErrors.size()", equalTo(0));

        assertEquals(9, shopify.available("MUG-1"));
        assertEquals(1, shopify.stockWrites().size());
    }

    @Test
    void staleChangeFromQuantityIsAUserErrorAndChangesNothing() {
        String item = shopify.addProduct("Mug", variant("MUG-1", "Default", 5)).get(0).inventoryItemId;

        given().header("X-Shopify-Access-Token", shopify.accessToken()).body(mutation("k-2", item, 4, 9))
                .post(shopify.baseUrl() + "/admin/api/2026-04/graphql.json")
                .then().statusCode(200)
                .body("data.inventorySetQuantities.userErrors[0].code", equalTo("CHANGE_FROM_QUANTITY_STALE"))
                .body("data.inventorySetQuantities.inventoryAdjustmentGroup", nullValue());

        assertEquals(5, shopify.available("MUG-1"));
    }

    @Test
    void mutationWithoutIdempotentDirectiveIsRefused() {
        shopify.addProduct("Mug", variant("MUG-1", "Default", 5));
        String body = mutation("k", "x", null, 1).replace(" @idempotent(key: \\\"k\\\")", "");

        given().header("X-Shopify-Access-Token", shopify.accessToken()).body(body)
                .post(shopify.baseUrl() + "/admin/api/2026-04/graphql.json")
                .then().statusCode(200).body("errors[0].extensions.code", equalTo("BAD_REQUEST"));
    }
}
