package ec.stocksync.health;

import ec.stocksync.support.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes, metrics and the API description answer on the management interface only; the public port, the one behind
 * the Ingress, serves the API, the webhooks and the dashboard and nothing under /q. The test profile builds the
 * management interface as prod does (only dev keeps OpenAPI on the public port).
 */
@QuarkusTest
class ManagementInterfaceTest {

    private static final List<String> OPERATIONS = List.of("/q/health", "/q/health/live", "/q/health/ready",
            "/q/health/started", "/q/metrics", "/q/openapi", "/q/openapi.json", "/q/swagger-ui/");

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @TestHTTPResource("/")
    URL main;

    @Test
    void operationsAnswerOnTheManagementPortOnly() {
        assertNotEquals(main.getPort(), management.getPort(), "the management interface has a port of its own");
        for (String path : OPERATIONS) {
            int onManagement = RestAssured.given().baseUri(base(management)).port(management.getPort()).get(path)
                    .statusCode();
            assertEquals(200, onManagement, path + " on the management port");
            int onMain = RestAssured.given().get(path).statusCode();
            assertEquals(404, onMain, path + " on the public port");
        }
        RestAssured.given().baseUri(base(management)).port(management.getPort()).get("/q/metrics").then()
                .body(containsString("stocksync_queue_depth"));
        RestAssured.given().baseUri(base(management)).port(management.getPort()).get("/q/openapi").then()
                .body(containsString("/api/stores"));
    }

    @Test
    void thePublicPortStillServesTheApiAndTheDashboardAndTheManagementPortDoesNot() {
        Api.admin().get("/api/stores").then().statusCode(200);
        RestAssured.given().get("/").then().statusCode(200);
        RestAssured.given().baseUri(base(management)).port(management.getPort())
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).get("/api/stores").then().statusCode(404);
        RestAssured.given().baseUri(base(management)).port(management.getPort()).get("/").then().statusCode(404);
    }

    @Test
    void readinessWatchesTheDatabaseAndTheMigrationsLivenessDoesNot() {
        JsonPath ready = RestAssured.given().baseUri(base(management)).port(management.getPort())
                .get("/q/health/ready").then().statusCode(200).extract().jsonPath();
        assertEquals("UP", ready.getString("status"));
        List<String> readyChecks = ready.getList("checks.name");
        assertTrue(readyChecks.contains("Reactive PostgreSQL connections health check"), readyChecks.toString());
        assertTrue(readyChecks.contains(MigrationsReadinessCheck.NAME), readyChecks.toString());

        // A database outage must take the pods out of the Service, not have the kubelet restart every one of them.
        JsonPath live = RestAssured.given().baseUri(base(management)).port(management.getPort())
                .get("/q/health/live").then().statusCode(200).extract().jsonPath();
        List<String> liveChecks = live.getList("checks.name");
        assertFalse(liveChecks.stream().anyMatch(n -> n.contains("connections") || n.contains("migrations")),
                liveChecks.toString());
    }

    private static String base(URL url) {
        return url.getProtocol() + "://" + url.getHost();
    }
}
