package ec.stocksync.movement;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

@QuarkusTest
class MovementResourceTest {

    @Inject
    Db db;
    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @TestHTTPResource("/api/movements")
    URL movements;

    /** A movement as the worker leaves it, in a fresh store of its own. */
    long movement(String status) {
        long storeId = Api.createShopifyStore();
        return db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, attempts,
                                                       last_error)
                VALUES ($1, 'DIS-1', 'SALE', 2, $2, $3, 3, 'Contifico: 500') RETURNING id""",
                storeId, "k-" + UUID.randomUUID(), status).get(0).getLong("id");
    }

    Row stored(long id) {
        return db.rows("SELECT status, dismissed_at, dismissed_reason, dismissed_by, updated_at"
                + " FROM inventory_movements_queue WHERE id = $1", id).get(0);
    }

    static Map<String, Object> reason(String reason) {
        return Map.of("reason", reason);
    }

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

    @Test
    void aDeadMovementIsDismissedWithItsTrimmedReasonAndShowsTheDismissal() {
        long id = movement("DEAD");

        Api.admin().body(reason("  Registrada a mano en Contifico (EGR 001-0042)  "))
                .post("/api/movements/" + id + "/dismiss").then().statusCode(200)
                .body("id", equalTo((int) id)).body("status", equalTo("DEAD"))
                .body("dismissedReason", equalTo("Registrada a mano en Contifico (EGR 001-0042)"))
                .body("dismissedBy", equalTo("admin")).body("dismissedAt", notNullValue());

        Row row = stored(id);
        assertEquals("DEAD", row.getString("status"));
        assertNotNull(row.getOffsetDateTime("dismissed_at"));
        assertEquals("Registrada a mano en Contifico (EGR 001-0042)", row.getString("dismissed_reason"));
        Api.admin().get("/api/movements/" + id).then().statusCode(200)
                .body("dismissedReason", equalTo("Registrada a mano en Contifico (EGR 001-0042)"))
                .body("dismissedAt", notNullValue());
    }

    @Test
    void aDismissalWithoutAValidReasonIsRefusedNamingTheFieldAndChangesNothing() {
        long id = movement("DEAD");
        Object before = stored(id).getOffsetDateTime("updated_at");
        String url = "/api/movements/" + id + "/dismiss";

        Api.admin().body(Map.of()).post(url).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("reason"));
        Api.admin().body(reason("   ")).post(url).then().statusCode(400).body("message", containsString("reason"));
        Api.admin().body(reason("  ok  ")).post(url).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("reason"));
        Api.admin().body(reason("x".repeat(501))).post(url).then().statusCode(400).body("message", containsString("reason"));
        Api.admin().body(Map.of("reason", 42)).post(url).then().statusCode(400).body("message", containsString("reason"));
        Api.admin().body(Map.of("reason", "Registrada a mano", "force", true)).post(url).then().statusCode(400)
                .body("error", equalTo("unknown_field")).body("message", containsString("force"));
        Api.admin().body("[\"Registrada a mano\"]").post(url).then().statusCode(400);
        Api.admin().post(url).then().statusCode(400);
        given().body(reason("Registrada a mano")).contentType("application/json").post(url).then().statusCode(401);

        Row row = stored(id);
        assertNull(row.getOffsetDateTime("dismissed_at"));
        assertNull(row.getString("dismissed_reason"));
        assertEquals(before, row.getOffsetDateTime("updated_at"));
        // 3 and 500 characters are both fine.
        Api.admin().body(reason("x".repeat(500))).post(url).then().statusCode(200);
        Api.admin().body(reason("abc")).post("/api/movements/" + movement("DEAD") + "/dismiss").then().statusCode(200);
    }

    @Test
    void onlyADeadMovementCanBeDismissedAndAnUnknownOneIsNotFound() {
        for (String status : List.of("PENDING", "IN_PROGRESS", "DONE")) {
            long id = movement(status);
            Api.admin().body(reason("Registrada a mano")).post("/api/movements/" + id + "/dismiss").then()
                    .statusCode(409).body("error", equalTo("movement_not_dead"))
                    .body("message", containsString(status));
            Row row = stored(id);
            assertEquals(status, row.getString("status"));
            assertNull(row.getOffsetDateTime("dismissed_at"));
        }
        Api.admin().body(reason("Registrada a mano")).post("/api/movements/987654321/dismiss").then()
                .statusCode(404).body("error", equalTo("movement_not_found"));
    }

    @Test
    void aSecondDismissalIsAConflictAndKeepsTheFirstReason() {
        long id = movement("DEAD");
        Api.admin().body(reason("Primera razón")).post("/api/movements/" + id + "/dismiss").then().statusCode(200);

        Api.admin().body(reason("Segunda razón")).post("/api/movements/" + id + "/dismiss").then().statusCode(409)
                .body("error", equalTo("already_dismissed")).body("message", containsString("Primera razón"));
        assertEquals("Primera razón", stored(id).getString("dismissed_reason"));
    }

    @Test
    void ofConcurrentDismissalsExactlyOneWins() {
        long id = movement("DEAD");
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 8).mapToObj(i -> http.sendAsync(
                HttpRequest.newBuilder(URI.create(movements + "/" + id + "/dismiss"))
                        .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"operador " + i + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString())).toList();
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();

        List<HttpResponse<String>> won = answers.stream().filter(r -> r.statusCode() == 200).toList();
        assertEquals(1, won.size(), answers.stream().map(HttpResponse::body).toList().toString());
        answers.stream().filter(r -> r.statusCode() != 200).forEach(r -> {
            assertEquals(409, r.statusCode(), r.body());
            assertEquals(true, r.body().contains("already_dismissed"), r.body());
        });
        String winner = stored(id).getString("dismissed_reason");
        assertEquals(true, won.get(0).body().contains(winner), won.get(0).body());
    }

    @Test
    void retryingADismissedMovementClearsTheDismissalAndQueuesItAgain() {
        long id = movement("DEAD");
        Api.admin().body(reason("Se registró a mano")).post("/api/movements/" + id + "/dismiss").then().statusCode(200);

        Api.admin().post("/api/movements/" + id + "/retry").then().statusCode(200)
                .body("status", equalTo("PENDING")).body("attempts", equalTo(0))
                .body("dismissedAt", nullValue()).body("dismissedReason", nullValue());
        Row row = stored(id);
        assertEquals("PENDING", row.getString("status"));
        assertNull(row.getOffsetDateTime("dismissed_at"));
        assertNull(row.getString("dismissed_by"));
        // Queued again, it can no longer be dismissed.
        Api.admin().body(reason("Otra vez")).post("/api/movements/" + id + "/dismiss").then().statusCode(409)
                .body("error", equalTo("movement_not_dead"));
    }

    @Test
    void theListFiltersByDismissalAndRefusesAMalformedFilterNamingIt() {
        long storeId = Api.createShopifyStore();
        List<Long> ids = db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status)
                SELECT $1, 'F-1', 'SALE', 1, 'f' || g, CASE WHEN g = 4 THEN 'PENDING' ELSE 'DEAD' END
                FROM generate_series(1, 4) g ORDER BY g RETURNING id""", storeId)
                .stream().map(r -> r.getLong("id")).toList();
        Api.admin().body(reason("Duplicada en la tienda")).post("/api/movements/" + ids.get(0) + "/dismiss").then()
                .statusCode(200);

        String base = "/api/movements?storeId=" + storeId;
        Api.admin().get(base + "&dismissed=true").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(0).intValue()));
        Api.admin().get(base + "&status=DEAD&dismissed=false").then().statusCode(200)
                .body("total", equalTo(2)).body("items.dismissedAt", everyItem(nullValue()));
        Api.admin().get(base + "&dismissed=FALSE").then().statusCode(200).body("total", equalTo(3));
        Api.admin().get(base).then().statusCode(200).body("total", equalTo(4));
        Api.admin().get(base + "&dismissed=yes").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("dismissed"));
    }

    /** DEAD movements of one store: {@code sku|error} each, in order; returns their ids. */
    List<Long> dead(long storeId, String... skuAndError) {
        return java.util.Arrays.stream(skuAndError).map(spec -> {
            String[] p = spec.split("\\|", 2);
            return db.rows("""
                    INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status, attempts,
                                                           last_error)
                    VALUES ($1, $2, 'SALE', 1, $3, 'DEAD', 5, $4) RETURNING id""",
                    storeId, p[0], "bulk-" + UUID.randomUUID(), p[1]).get(0).getLong("id");
        }).toList();
    }

    Map<Long, String> statuses(List<Long> ids) {
        Map<Long, String> out = new java.util.TreeMap<>();
        for (long id : ids) {
            Row r = db.rows("SELECT status, attempts, dismissed_reason FROM inventory_movements_queue WHERE id = $1", id).get(0);
            out.put(id, r.getString("status") + "/" + r.getInteger("attempts") + "/" + r.getString("dismissed_reason"));
        }
        return out;
    }

    @Test
    void bulkRetryQueuesAgainOnlyTheDeadMovementsOfTheNamedStoreMatchingSkuAndError() {
        long storeId = Api.createShopifyStore();
        long otherStore = Api.createShopifyStore();
        List<Long> outage = dead(storeId, "X-1|ContificoException.Unavailable: HTTP 503", "X-1|ContificoException.Unavailable: HTTP 503");
        List<Long> others = new java.util.ArrayList<>(dead(storeId, "X-1|ContificoException.Rejected: HTTP 400 producto",
                "Y-2|ContificoException.Unavailable: HTTP 503"));
        long dismissed = dead(storeId, "X-1|ContificoException.Unavailable: HTTP 503").get(0);
        Api.admin().body(reason("Registrada a mano")).post("/api/movements/" + dismissed + "/dismiss").then().statusCode(200);
        others.add(dismissed);
        others.addAll(dead(otherStore, "X-1|ContificoException.Unavailable: HTTP 503"));
        Map<Long, String> before = statuses(others);

        // The list shows what the action will take, with the same filters.
        String filters = "storeId=" + storeId + "&sku=X-1&error=unavailable";
        Api.admin().get("/api/movements?status=DEAD&dismissed=false&" + filters).then().statusCode(200)
                .body("total", equalTo(2));
        Api.admin().body(Map.of("expected", 2)).post("/api/movements/retry?" + filters).then().statusCode(200)
                .body("matched", equalTo(2)).body("changed", equalTo(2))
                .body("ids", equalTo(outage.stream().map(Long::intValue).toList()));

        statuses(outage).values().forEach(v -> assertEquals("PENDING/0/null", v));
        assertEquals(before, statuses(others));
        // Done again, nothing is left to match: the action is safe to repeat.
        Api.admin().post("/api/movements/retry?" + filters).then().statusCode(200)
                .body("matched", equalTo(0)).body("changed", equalTo(0));
    }

    @Test
    void bulkDismissKeepsTheOneReasonOnEachAndChangesNothingWithoutAValidReason() {
        long storeId = Api.createShopifyStore();
        List<Long> ids = dead(storeId, "Z-1|Rejected: producto inexistente", "Z-2|Rejected: producto inexistente");
        Map<Long, String> before = statuses(ids);
        String url = "/api/movements/dismiss?storeId=" + storeId + "&error=inexistente";

        Api.admin().body("{}").post(url).then().statusCode(400).body("error", equalTo("invalid_field"))
                .body("message", containsString("reason"));
        Api.admin().body(reason("no")).post(url).then().statusCode(400).body("error", equalTo("invalid_field"));
        Api.admin().body(Map.of("reason", "Productos borrados", "expected", -1)).post(url).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("expected"));
        Api.admin().body(reason("Productos borrados")).post("/api/movements/dismiss").then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("storeId"));
        Api.admin().body(reason("Productos borrados")).post(url + "&sku=" + "S".repeat(201)).then().statusCode(400)
                .body("error", equalTo("invalid_field")).body("message", containsString("sku"));
        assertEquals(before, statuses(ids));

        Api.admin().body(reason("Productos borrados de Contifico")).post(url).then().statusCode(200)
                .body("matched", equalTo(2)).body("changed", equalTo(2));
        for (long id : ids) {
            Row r = stored(id);
            assertEquals("DEAD", r.getString("status"));
            assertEquals("Productos borrados de Contifico", r.getString("dismissed_reason"));
            assertEquals("admin", r.getString("dismissed_by"));
            assertNotNull(r.getOffsetDateTime("dismissed_at"));
        }
    }

    @Test
    void aBulkActionOnASelectionThatGrewSinceTheOperatorSawItChangesNothing() {
        long storeId = Api.createShopifyStore();
        List<Long> seen = dead(storeId, "W-1|Unavailable: 503", "W-1|Unavailable: 503");
        // A third sale dies while the operator reads the list of two.
        List<Long> all = new java.util.ArrayList<>(seen);
        all.addAll(dead(storeId, "W-1|Unavailable: 503"));
        Map<Long, String> before = statuses(all);

        Api.admin().body(Map.of("expected", 2)).post("/api/movements/retry?storeId=" + storeId + "&sku=W-1").then()
                .statusCode(409).body("error", equalTo("selection_changed")).body("message", containsString("3"));
        Api.admin().body(Map.of("reason", "Registradas a mano", "expected", 2))
                .post("/api/movements/dismiss?storeId=" + storeId + "&sku=W-1").then()
                .statusCode(409).body("error", equalTo("selection_changed"));
        assertEquals(before, statuses(all));
    }

    @Test
    void theErrorFilterMatchesTextLiterallyNotAsAPattern() {
        long storeId = Api.createShopifyStore();
        List<Long> ids = dead(storeId, "P-1|stock 100% agotado", "P-1|stock 1000 agotado", "P-1|a_b");
        String base = "/api/movements?status=DEAD&storeId=" + storeId;
        Api.admin().queryParam("error", "100%").get(base).then().statusCode(200).body("total", equalTo(1))
                .body("items[0].id", equalTo(ids.get(0).intValue()));
        Api.admin().queryParam("error", "%").get(base).then().statusCode(200).body("total", equalTo(1));
        Api.admin().queryParam("error", "a_b").get(base).then().statusCode(200).body("total", equalTo(1));
        Api.admin().queryParam("error", "AGOTADO").get(base).then().statusCode(200).body("total", equalTo(2));
        Api.admin().queryParam("storeId", storeId).queryParam("error", "%").post("/api/movements/retry").then()
                .statusCode(200).body("ids", equalTo(List.of(ids.get(0).intValue())));
    }

    /**
     * Two operators dismiss the same DEAD movements at once, while a third party holds their rows (as a worker or a
     * retention batch might): each movement is dismissed once, with one reason, and the two answers add up to the
     * rows, never to twice as many with one reason silently overwritten.
     */
    @Test
    void concurrentBulkDismissalsOfTheSameMovementsDismissEachOnce() throws Exception {
        long storeId = Api.createShopifyStore();
        List<Long> ids = dead(storeId, "R-1|Unavailable: 503", "R-1|Unavailable: 503", "R-1|Unavailable: 503");
        // Hold the rows so both requests are certainly waiting on them at the same moment.
        CompletableFuture<Void> locked = new CompletableFuture<>();
        var holder = pool.withTransaction(c -> c.preparedQuery(
                        "SELECT id FROM inventory_movements_queue WHERE store_id = $1 FOR UPDATE")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(storeId))
                .invoke(() -> locked.complete(null))
                .chain(() -> c.query("SELECT pg_sleep(1.5)").execute())).subscribeAsCompletionStage();
        locked.get(10, java.util.concurrent.TimeUnit.SECONDS);
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 2).mapToObj(i -> http.sendAsync(
                HttpRequest.newBuilder(URI.create(movements + "/dismiss?storeId=" + storeId + "&sku=R-1"))
                        .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"operador " + i + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString())).toList();
        holder.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();

        int changed = 0;
        String winner = null;
        for (int i = 0; i < answers.size(); i++) {
            HttpResponse<String> a = answers.get(i);
            assertEquals(200, a.statusCode(), a.body());
            int n = io.restassured.path.json.JsonPath.from(a.body()).getInt("changed");
            changed += n;
            if (n > 0) {
                winner = "operador " + i;
            }
        }
        assertEquals(3, changed, answers.stream().map(HttpResponse::body).toList().toString());
        java.util.Set<String> reasons = new java.util.HashSet<>();
        ids.forEach(id -> reasons.add(stored(id).getString("dismissed_reason")));
        assertEquals(java.util.Set.of(winner), reasons);
    }
}
