package ec.stocksync.access;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named tokens: admin or bound to one store, read-only or read-write, shown once, hashed, expiring, revocable. */
@QuarkusTest
class ScopedTokenTest {

    /** An id no store, movement, run or integration has: what "does not exist" answers. */
    static final long NOWHERE = 9_000_000_001L;

    /** What a store token may never do, even to its own store: a store's life cycle, tokens, and the sandbox. */
    static final List<String> ADMIN_ONLY = List.of("POST /api/stores", "DELETE /api/stores/{id}");

    @Inject
    Db db;
    @TestHTTPResource(value = "/", management = true)
    URL management;

    static JsonPath createToken(Map<String, Object> body) {
        return Api.admin().body(body).post("/api/tokens").then().statusCode(201).extract().jsonPath();
    }

    static String storeToken(long storeId, String access) {
        return createToken(Map.of("name", "tienda " + storeId, "storeId", storeId, "access", access)).getString("token");
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json");
    }

    /** A store with a DEAD movement, a sync log and a finished pull run, all carrying {@code marker}. */
    record Tenant(long storeId, long movementId, long runId, String marker) {
    }

    Tenant tenant() {
        String marker = "MARK" + UUID.randomUUID().toString().substring(0, 8);
        long storeId = Api.createStore(Map.of("name", "Tienda " + marker, "platform", "shopify",
                "shopDomain", marker.toLowerCase() + ".myshopify.com", "accessToken", "shpat_x",
                "webhookSecret", Api.SHOPIFY_SECRET, "locationId", "1"));
        long movementId = db.rows("INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status,"
                + " attempts, last_error) VALUES ($1, $2, 'SALE', 1, $3, 'DEAD', 3, 'Contifico: 500') RETURNING id",
                storeId, marker, "k-" + marker).get(0).getLong("id");
        long runId = db.rows("INSERT INTO pull_runs (store_id, trigger, kind, status, finished_at)"
                + " VALUES ($1, 'MANUAL', 'FULL', 'DONE', now()) RETURNING id", storeId).get(0).getLong("id");
        db.rows("INSERT INTO sync_logs (store_id, sku, trigger, action, pull_run_id) VALUES ($1, $2, 'MANUAL', 'UNCHANGED', $3)",
                storeId, marker, runId);
        return new Tenant(storeId, movementId, runId, marker);
    }

    /** Fills an OpenAPI path template with the ids of {@code t}, or with ids that exist nowhere. */
    static String fill(String template, Tenant t) {
        boolean nowhere = t == null;
        String path = template;
        if (path.startsWith("/api/movements/")) {
            path = path.replace("{id}", String.valueOf(nowhere ? NOWHERE : t.movementId()));
        }
        return path.replace("{id}", String.valueOf(nowhere ? NOWHERE : t.storeId()))
                .replace("{runId}", String.valueOf(nowhere ? NOWHERE : t.runId()))
                .replace("{integrationId}", String.valueOf(NOWHERE))
                .replace("{sku}", "SKU-" + (nowhere ? "NOWHERE" : t.marker()))
                + "?storeId=" + (nowhere ? NOWHERE : t.storeId());
    }

    static Response call(String token, String method, String path) {
        RequestSpecification r = as(token);
        if (!method.equals("get") && !method.equals("delete")) {
            r = r.body("{}");
        }
        return r.request(method.toUpperCase(), path);
    }

    @Test
    void everyApiOperationAnswersAnotherStoresIdsExactlyAsIdsThatDoNotExist() {
        Tenant mine = tenant();
        Tenant theirs = tenant();
        String token = storeToken(mine.storeId(), "read-write");
        // The API description lives on the management interface, as in prod.
        Map<String, Map<String, Object>> paths = given().baseUri("http://" + management.getHost())
                .port(management.getPort()).get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        List<String> checked = new ArrayList<>();
        for (var entry : paths.entrySet()) {
            if (!entry.getKey().startsWith("/api")) {
                continue;
            }
            for (String method : entry.getValue().keySet()) {
                if (!List.of("get", "post", "put", "patch", "delete").contains(method)) {
                    continue;
                }
                Response other = call(token, method, fill(entry.getKey(), theirs));
                Response none = call(token, method, fill(entry.getKey(), null));
                String op = method.toUpperCase() + " " + entry.getKey();
                checked.add(op + " -> " + other.statusCode());
                assertFalse(other.asString().contains(theirs.marker()), op + " showed the other store's data: " + other.asString());
                assertEquals(none.statusCode(), other.statusCode(), op + ": " + other.asString() + " vs " + none.asString());
                if (other.statusCode() >= 400) {
                    assertEquals(none.jsonPath().getString("error"), other.jsonPath().getString("error"), op);
                }
                if (!(method.equals("get") && other.statusCode() == 200)) {
                    assertTrue(other.statusCode() >= 400, op + " answered " + other.statusCode() + ": " + other.asString());
                }
                // On its own store the token is refused only where the operator's say is needed.
                boolean adminOnly = ADMIN_ONLY.contains(op) || entry.getKey().startsWith("/api/tokens")
                        || entry.getKey().startsWith("/api/demo");
                Response own = call(token, method, fill(entry.getKey(), mine));
                assertEquals(adminOnly, own.statusCode() == 403, op + " on its own store: " + own.asString());
            }
        }
        System.out.println("[scoped-token] " + String.join("\n[scoped-token] ", checked));
        assertTrue(checked.size() >= 25, "the OpenAPI document lists the API: " + checked);
        // Nothing of the other store moved.
        Row m = db.rows("SELECT status, dismissed_at FROM inventory_movements_queue WHERE id = $1", theirs.movementId()).get(0);
        assertEquals("DEAD", m.getString("status"));
        assertEquals(null, m.getValue("dismissed_at"));
        assertEquals(1L, db.count("SELECT count(*) FROM stores WHERE id = $1 AND active AND name = $2",
                theirs.storeId(), "Tienda " + theirs.marker()));
    }

    @Test
    void aStoreTokenWorksOnItsOwnStoreWithoutNamingIt() {
        Tenant mine = tenant();
        tenant();
        String token = storeToken(mine.storeId(), "read-write");
        as(token).get("/api/stores").then().statusCode(200).body("id", contains((int) mine.storeId()));
        as(token).get("/api/stores/" + mine.storeId()).then().statusCode(200).body("name", equalTo("Tienda " + mine.marker()));
        as(token).get("/api/movements").then().statusCode(200).body("items.storeId", everyItem(equalTo((int) mine.storeId())))
                .body("items.id", hasItem((int) mine.movementId()));
        as(token).get("/api/sync-logs").then().statusCode(200).body("items.sku", contains(mine.marker()));
        as(token).get("/api/sync-status").then().statusCode(200).body("storeId", equalTo((int) mine.storeId()));
        as(token).get("/api/pull-runs/" + mine.runId()).then().statusCode(200).body("storeId", equalTo((int) mine.storeId()));
        as(token).post("/api/movements/" + mine.movementId() + "/retry").then().statusCode(200).body("status", equalTo("PENDING"));
        as(token).get("/api/me").then().statusCode(200).body("scope", equalTo("store"))
                .body("storeId", equalTo((int) mine.storeId())).body("access", equalTo("read-write"));
    }

    @Test
    void aStoreTokenCannotCreateStoresOrTokensNorDeactivateItsStore() {
        Tenant mine = tenant();
        String token = storeToken(mine.storeId(), "read-write");
        long stores = db.count("SELECT count(*) FROM stores");
        long tokens = db.count("SELECT count(*) FROM api_tokens");
        as(token).body(Map.of("name", "otra", "platform", "shopify", "shopDomain", "x.myshopify.com", "accessToken", "a",
                "webhookSecret", "b", "locationId", "1")).post("/api/stores").then().statusCode(403).body("error", equalTo("forbidden"));
        as(token).body(Map.of("name", "mine too", "storeId", mine.storeId(), "access", "read-write")).post("/api/tokens")
                .then().statusCode(403).body("error", equalTo("forbidden"));
        as(token).get("/api/tokens").then().statusCode(403);
        as(token).delete("/api/stores/" + mine.storeId()).then().statusCode(403);
        as(token).get("/api/demo").then().statusCode(403);
        assertEquals(stores, db.count("SELECT count(*) FROM stores"));
        assertEquals(tokens, db.count("SELECT count(*) FROM api_tokens"));
        assertEquals(1L, db.count("SELECT count(*) FROM stores WHERE id = $1 AND active", mine.storeId()));
    }

    @Test
    void aReadOnlyTokenReadsButChangesNothing() {
        Tenant mine = tenant();
        String store = storeToken(mine.storeId(), "read-only");
        String admin = createToken(Map.of("name", "auditor", "access", "read-only")).getString("token");
        for (String token : List.of(store, admin)) {
            as(token).get("/api/stores/" + mine.storeId()).then().statusCode(200);
            as(token).body(Map.of("name", "cambiado")).patch("/api/stores/" + mine.storeId()).then().statusCode(403)
                    .body("error", equalTo("read_only_token"));
            as(token).post("/api/movements/" + mine.movementId() + "/retry").then().statusCode(403);
        }
        as(admin).get("/api/stores").then().statusCode(200).body("id", hasItem((int) mine.storeId()));
        as(admin).body(Map.of("name", "x", "access", "read-only")).post("/api/tokens").then().statusCode(403);
        assertEquals("Tienda " + mine.marker(), db.rows("SELECT name FROM stores WHERE id = $1", mine.storeId()).get(0).getString("name"));
        assertEquals("DEAD", db.rows("SELECT status FROM inventory_movements_queue WHERE id = $1", mine.movementId()).get(0).getString("status"));
    }

    @Test
    void aTokenIsShownOnceAndStoredOnlyAsItsHash() {
        Tenant mine = tenant();
        JsonPath created = createToken(Map.of("name", "bodega", "storeId", mine.storeId(), "access", "read-only",
                "expiresInDays", 30));
        String token = created.getString("token");
        assertTrue(token.startsWith("sst_") && token.length() >= 40, token);
        long id = created.getLong("id");
        Api.admin().get("/api/tokens/" + id).then().statusCode(200).body("token", nullValue())
                .body("prefix", equalTo(token.substring(0, 10))).body("status", equalTo("active"))
                .body("scope", equalTo("store")).body("createdBy", equalTo("admin"));
        Api.admin().get("/api/tokens").then().statusCode(200).body("token", everyItem(nullValue()));
        String dump = db.rows("SELECT t::text AS row FROM api_tokens t").stream().map(r -> r.getString("row")).toList().toString();
        assertFalse(dump.contains(token.substring(4)), "a token is kept in clear");
        assertTrue(dump.contains(ApiTokens.hash(token)));
        // The expiry is what was asked for.
        assertEquals(1L, db.count("SELECT count(*) FROM api_tokens WHERE id = $1"
                + " AND expires_at BETWEEN now() + interval '29 days 23 hours' AND now() + interval '30 days'", id));
    }

    @Test
    void aRevokedOrExpiredTokenIsRefusedOnItsNextRequest() {
        Tenant mine = tenant();
        JsonPath a = createToken(Map.of("name", "a", "storeId", mine.storeId(), "access", "read-write"));
        JsonPath b = createToken(Map.of("name", "b", "storeId", mine.storeId(), "access", "read-write"));
        as(a.getString("token")).get("/api/me").then().statusCode(200);
        Api.admin().delete("/api/tokens/" + a.getLong("id")).then().statusCode(200).body("status", equalTo("revoked"));
        as(a.getString("token")).get("/api/me").then().statusCode(401).body("error", equalTo("unauthorized"));
        Api.admin().delete("/api/tokens/" + a.getLong("id")).then().statusCode(200);
        Api.admin().delete("/api/tokens/" + NOWHERE).then().statusCode(404).body("error", equalTo("token_not_found"));

        db.rows("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", b.getLong("id"));
        as(b.getString("token")).get("/api/me").then().statusCode(401);
        Api.admin().get("/api/tokens/" + b.getLong("id")).then().body("status", equalTo("expired"));
        for (String wrong : List.of("sst_", "sst_" + "A".repeat(43), b.getString("token") + "x", "sst_" + "x".repeat(200))) {
            as(wrong).get("/api/me").then().statusCode(401);
        }
    }

    @Test
    void tokenCreationRefusesBadInputAndCreatesNothing() {
        Tenant mine = tenant();
        long before = db.count("SELECT count(*) FROM api_tokens");
        List<Map<String, Object>> bad = List.of(
                Map.of("access", "read-only"),
                Map.of("name", " ", "access", "read-only"),
                Map.of("name", "x".repeat(101), "access", "read-only"),
                Map.of("name", "tab\there", "access", "read-only"),
                Map.of("name", "n"),
                Map.of("name", "n", "access", "admin"),
                Map.of("name", "n", "access", "read-only", "expiresInDays", 0),
                Map.of("name", "n", "access", "read-only", "expiresInDays", 367),
                Map.of("name", "n", "access", "read-only", "expiresInDays", 1.5),
                Map.of("name", "n", "access", "read-only", "storeId", "1"),
                Map.of("name", "n", "access", "read-only", "scope", "admin"));
        for (Map<String, Object> body : bad) {
            Api.admin().body(body).post("/api/tokens").then().statusCode(400);
        }
        Api.admin().body(Map.of("name", "n", "access", "read-only", "storeId", NOWHERE)).post("/api/tokens")
                .then().statusCode(404).body("error", equalTo("store_not_found"));
        assertEquals(before, db.count("SELECT count(*) FROM api_tokens"));
        Map<String, Object> good = new HashMap<>(Map.of("name", "ok", "access", "read-only", "storeId", mine.storeId()));
        Api.admin().body(good).post("/api/tokens").then().statusCode(201).body("token", startsWith("sst_"));
    }

    @Test
    void everyApiWriteIsAuditedWithItsTokenStoreAndOutcome() {
        Tenant mine = tenant();
        Tenant theirs = tenant();
        JsonPath created = createToken(Map.of("name", "caja 1", "storeId", mine.storeId(), "access", "read-write"));
        String token = created.getString("token");
        long tokenId = created.getLong("id");
        as(token).body(Map.of("name", "Renombrada " + mine.marker())).patch("/api/stores/" + mine.storeId()).then().statusCode(200);
        as(token).body("{}").post("/api/stores").then().statusCode(403);
        as(token).get("/api/stores/" + mine.storeId()).then().statusCode(200);
        Api.admin().post("/api/movements/" + theirs.movementId() + "/retry").then().statusCode(200);

        JsonPath trail = Api.admin().get("/api/audit?tokenId=" + tokenId).then().statusCode(200).extract().jsonPath();
        assertEquals(2, trail.getInt("total"), trail.prettify());
        assertEquals("POST", trail.getString("items[0].method"));
        assertEquals(403, trail.getInt("items[0].status"));
        assertEquals("PATCH", trail.getString("items[1].method"));
        assertEquals("/api/stores/" + mine.storeId(), trail.getString("items[1].path"));
        assertEquals(mine.storeId(), trail.getLong("items[1].storeId"));
        assertEquals(200, trail.getInt("items[1].status"));
        assertEquals("caja 1", trail.getString("items[1].tokenName"));

        // The admin's retry is filed under the movement's store, and the token's creation under the store it is for.
        Api.admin().get("/api/audit?storeId=" + theirs.storeId()).then().statusCode(200)
                .body("items.path", hasItem("/api/movements/" + theirs.movementId() + "/retry"))
                .body("items.tokenName", everyItem(equalTo("bootstrap")));
        Api.admin().get("/api/audit?storeId=" + mine.storeId()).then().statusCode(200)
                .body("items.path", hasItem("/api/tokens"));
        // A store token reads its own store's trail only.
        as(token).get("/api/audit").then().statusCode(200).body("items.storeId", everyItem(equalTo((int) mine.storeId())))
                .body("items.path", not(hasItem("/api/movements/" + theirs.movementId() + "/retry")));
        as(token).get("/api/audit?storeId=" + theirs.storeId()).then().statusCode(404);
    }
}
