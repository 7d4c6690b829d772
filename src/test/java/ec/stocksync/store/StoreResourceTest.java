package ec.stocksync.store;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class StoreResourceTest {

    @Test
    void refusesRequestsWithoutTheAdminToken() {
        given().get("/api/stores").then().statusCode(401).body("error", equalTo("unauthorized"));
    }
}
