package ec.stocksync.common;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document is usable by Swagger UI and by a generated client: a bearer scheme every /api operation asks
 * for, the error answers they share, a tag per feature, and the success codes the endpoints really answer.
 */
@QuarkusTest
class OpenApiContractTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

    @TestHTTPResource(value = "/", management = true)
    URL management;

    JsonPath document() {
        return given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyApiOperationAsksForTheBearerTokenAndDocumentsItsErrors() {
        JsonPath doc = document();
        assertEquals("http", doc.getString("components.securitySchemes.bearer.type"));
        assertEquals("bearer", doc.getString("components.securitySchemes.bearer.scheme"));
        assertEquals(List.of("error", "message"), doc.getList("components.schemas.Error.required"));

        Map<String, Map<String, Object>> paths = doc.getMap("paths");
        List<String> checked = new ArrayList<>();
        for (var path : paths.entrySet()) {
            for (var op : path.getValue().entrySet()) {
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                String name = op.getKey().toUpperCase() + " " + path.getKey();
                Map<String, Object> operation = (Map<String, Object>) op.getValue();
                Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
                assertTrue(responses.keySet().stream().anyMatch(s -> s.startsWith("2")), name + " has no success answer");
                List<String> tags = (List<String>) operation.get("tags");
                assertTrue(tags != null && !tags.isEmpty(), name + " has no tag");
                if (path.getKey().startsWith("/api/")) {
                    assertEquals(List.of(Map.of("bearer", List.of())), operation.get("security"), name);
                    for (String status : List.of("401", "403")) {
                        Map<String, Object> r = (Map<String, Object>) responses.get(status);
                        assertTrue(r != null, name + " does not document " + status);
                        assertEquals("#/components/schemas/Error", ((Map<String, Object>) ((Map<String, Object>)
                                ((Map<String, Object>) r.get("content")).get("application/json")).get("schema")).get("$ref"),
                                name + " " + status);
                    }
                    if (path.getKey().contains("{")) {
                        assertTrue(responses.containsKey("404"), name + " does not document 404");
                    }
                    checked.add(name);
                } else if (path.getKey().startsWith("/webhooks/")) {
                    assertNull(operation.get("security"), name + ": webhooks are signed, not bearer-authenticated");
                    assertTrue(responses.containsKey("401"), name);
                }
            }
        }
        assertTrue(checked.size() > 30, "only " + checked.size() + " /api operations found: " + checked);
    }

    @Test
    void successCodesAreTheOnesTheEndpointsAnswer() {
        JsonPath doc = document();
        for (String path : List.of("/api/stores", "/api/stores/{id}/integrations", "/api/tokens")) {
            Map<String, Object> responses = doc.getMap("paths.'" + path + "'.post.responses");
            assertTrue(responses.containsKey("201"), "POST " + path + " answers 201: " + responses.keySet());
            assertFalse(responses.containsKey("200"), "POST " + path + " never answers 200");
        }
        Map<String, Object> pull = doc.getMap("paths.'/api/stores/{id}/pull'.post.responses");
        assertTrue(pull.containsKey("202") && pull.containsKey("200") && pull.containsKey("409"), pull.keySet().toString());
        assertEquals(List.of("pulls"), doc.getList("paths.'/api/stores/{id}/pull'.post.tags"));
        assertEquals(List.of("stores"), doc.getList("paths.'/api/stores'.post.tags"));
    }
}
