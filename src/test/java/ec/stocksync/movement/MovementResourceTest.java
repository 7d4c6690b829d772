package ec.stocksync.movement;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
class MovementResourceTest {

    @Inject
    Db db;

    @Test
    void listsMovementsFilteredByStoreStatusAndSkuNewestFirstInPages() {
        long storeId = Api.createShopifyStore();
        db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, last_error)
                SELECT $1, CASE WHEN g <= 3 THEN 'A' ELSE 'B' END, 'SALE', 1, 'k' || g,
                       CASE WHEN g = 2 THEN 'DEAD' ELSE 'PENDING' END, CASE WHEN g = 2 THEN 'Rejected: 400' END
                FROM generate_series(1, 5) g RETURNING id""", storeId);

        Api.admin().get("/api/movements?storeId=" + storeId + "&size=2").then().statusCode(200)
                .body("total", equalTo(5)).body("items", hasSize(2))
                .body("items[0].businessKey", equalTo("k5"));
        Api.admin().get("/api/movements?storeId=" + storeId + "&size=2&page=2").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].businessKey", equalTo("k1"));
        Api.admin().get("/api/movements?storeId=" + storeId + "&status=DEAD").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].lastError", equalTo("Rejected: 400"));
        Api.admin().get("/api/movements?storeId=" + storeId + "&sku=A").then().statusCode(200)
                .body("total", equalTo(3)).body("items.sku", everyItem(equalTo("A")));
    }

    @Test
    void refusesBadFiltersUnknownMovementsAndMissingToken() {
        Api.admin().get("/api/movements?status=LOST").then().statusCode(400).body("message", containsString("status"));
        Api.admin().get("/api/movements?size=0").then().statusCode(400);
        Api.admin().get("/api/movements?page=abc").then().statusCode(400).body("message", containsString("page"));
        Api.admin().get("/api/movements/987654321").then().statusCode(404).body("error", equalTo("movement_not_found"));
        Api.admin().post("/api/movements/987654321/retry").then().statusCode(404);
        given().get("/api/movements").then().statusCode(401);
    }
}
