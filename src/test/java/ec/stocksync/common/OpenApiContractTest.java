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

    /**
     * What a generated client and a reader of Swagger UI need from each operation: a one-line summary, the error
     * answers in the one error shape, and, for every body it takes, a schema with its required fields and an example.
     * No /api operation is public: even {@code /api/me} answers only a valid token.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyApiOperationHasASummaryTypedErrorsAndDocumentedBodies() {
        JsonPath doc = document();
        Map<String, Map<String, Object>> schemas = doc.getMap("components.schemas");
        Map<String, Map<String, Object>> paths = doc.getMap("paths");
        List<String> bodies = new ArrayList<>();
        for (var path : paths.entrySet()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (var op : path.getValue().entrySet()) {
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                String name = op.getKey().toUpperCase() + " " + path.getKey();
                Map<String, Object> operation = (Map<String, Object>) op.getValue();
                Object summary = operation.get("summary");
                assertTrue(summary instanceof String text && !text.isBlank() && !text.contains("\n"),
                        name + " has no one-line summary");
                assertEquals(List.of(Map.of("bearer", List.of())), operation.get("security"), name);
                Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
                for (var response : responses.entrySet()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        assertEquals("#/components/schemas/Error", schemaRef((Map<String, Object>) response.getValue()),
                                name + " " + response.getKey() + " is not the error shape");
                    }
                }
                Map<String, Object> body = (Map<String, Object>) operation.get("requestBody");
                if (body == null) {
                    continue;
                }
                assertTrue(responses.containsKey("400"), name + " takes a body but documents no 400");
                Map<String, Object> json = (Map<String, Object>) ((Map<String, Object>) body.get("content"))
                        .get("application/json");
                assertTrue(json != null, name + " has no JSON body");
                assertTrue(json.get("examples") instanceof Map<?, ?> examples && !examples.isEmpty(),
                        name + " has no request example");
                String ref = (String) ((Map<String, Object>) json.get("schema")).get("$ref");
                assertTrue(ref != null && ref.startsWith("#/components/schemas/"), name + " body has no named schema");
                Map<String, Object> schema = schemas.get(ref.substring("#/components/schemas/".length()));
                assertTrue(schema != null && schema.get("properties") instanceof Map, name + ": " + ref);
                assertFalse(((Map<String, Object>) schema.get("properties")).containsKey("fields"),
                        name + " shows the reader's wrapper instead of the request");
                bodies.add(name + " " + ref);
            }
        }
        // The bodies with required fields say so, so a generated client refuses to build them without.
        assertEquals(List.of("name", "platform", "webhookSecret"), required(schemas, "StoreRequest"));
        assertEquals(List.of("apiKey", "provider", "warehouseId"), required(schemas, "IntegrationRequest"));
        assertEquals(List.of("skus"), required(schemas, "SelectivePullRequest"));
        assertEquals(List.of("reason"), required(schemas, "DismissRequest"));
        assertEquals(List.of("access", "name"), required(schemas, "TokenRequest"));
        assertTrue(bodies.size() >= 10, "request bodies found: " + bodies);
        String raw = given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/openapi?format=json").then().extract().asString();
        assertFalse(raw.contains("(?i)"), "a published pattern uses a Java-only flag; JSON Schema regexes are ECMA-262");
    }

    @SuppressWarnings("unchecked")
    private static String schemaRef(Map<String, Object> response) {
        Map<String, Object> content = (Map<String, Object>) response.get("content");
        if (content == null || !(content.get("application/json") instanceof Map<?, ?> json)) {
            return null;
        }
        return (String) ((Map<String, Object>) ((Map<String, Object>) json).get("schema")).get("$ref");
    }

    @SuppressWarnings("unchecked")
    private static List<String> required(Map<String, Map<String, Object>> schemas, String name) {
        Map<String, Object> schema = schemas.get(name);
        assertTrue(schema != null, name + " is not in the document");
        List<String> required = new ArrayList<>((List<String>) schema.getOrDefault("required", List.of()));
        required.sort(null);
        return required;
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

    /** The design notes list every endpoint: one added without its row there fails here, in the same commit. */
    @Test
    void everyApiOperationIsListedInTheArchitectureNotes() throws java.io.IOException {
        String notes = java.nio.file.Files.readString(java.nio.file.Path.of("docs", "ARCHITECTURE.md"));
        Map<String, Map<String, Object>> paths = document().getMap("paths");
        List<String> missing = new ArrayList<>();
        for (var path : paths.entrySet()) {
            for (String method : path.getValue().keySet()) {
                String row = "`" + method.toUpperCase() + " " + path.getKey() + "`";
                if (METHODS.contains(method) && !notes.contains(row)) {
                    missing.add(row);
                }
            }
        }
        assertEquals(List.of(), missing, "add these to docs/ARCHITECTURE.md, section Endpoints");
    }
}
