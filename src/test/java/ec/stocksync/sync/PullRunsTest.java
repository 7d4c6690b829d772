package ec.stocksync.sync;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls are background runs: started with 202, followed while they run, cancellable, never left RUNNING. */
@QuarkusTest
class PullRunsTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    PullRunner runner;
    @Inject
    AdvisoryLocks locks;
    @Inject
    SyncService sync;

    Sandbox.Wired store;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
    }

    @AfterEach
    void tearDown() {
        sandbox.contifico().clearFaults();
    }

    void slowCatalogue(int skus, long latencyMs) {
        for (int i = 0; i < skus; i++) {
            sandbox.product(store, "R-%03d".formatted(i), 10, i % 2 == 0 ? 10 : 4);
        }
        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200);
        sandbox.contifico().setFault(ContificoSimulator.Endpoint.PRODUCT_STOCK,
                ContificoSimulator.Fault.latency(latencyMs, -1));
    }

    /** A pull body with a wrong value or JSON type names the field and starts no run. */
    @Test
    void aBadPullBodyIsRefusedNamingTheFieldAndStartsNoRun() {
        String url = "/api/stores/" + store.storeId() + "/pull";
        long runs = db.count("SELECT count(*) FROM pull_runs WHERE store_id = $1", store.storeId());
        for (var bad : java.util.List.of(
                Map.entry("limit", Map.<String, Object>of("limit", 0)),
                Map.entry("limit", Map.<String, Object>of("limit", 2.5)),
                Map.entry("mode", Map.<String, Object>of("mode", "weekly")),
                Map.entry("dryRun", Map.<String, Object>of("dryRun", "true")),
                Map.entry("force", Map.<String, Object>of("force", 1)))) {
            Api.admin().body(bad.getValue()).post(url).then().statusCode(400)
                    .body("error", equalTo("invalid_field"))
                    .body("message", org.hamcrest.Matchers.startsWith(bad.getKey() + ":"));
        }
        Api.admin().body("[true]").post(url).then().statusCode(400).body("error", equalTo("malformed_json"));
        Api.admin().body("{\"dryRun\": tru").post(url).then().statusCode(400).body("error", equalTo("malformed_json"));
        assertEquals(runs, db.count("SELECT count(*) FROM pull_runs WHERE store_id = $1", store.storeId()));
    }

    @Test
    void aPullAnswers202AtOnceAndShowsItsProgressUntilItEnds() {
        slowCatalogue(120, 60);
        ExtractableResponse<Response> started = Api.admin().body(Map.of())
                .post("/api/stores/" + store.storeId() + "/pull").then().extract();
        assertEquals(202, started.statusCode());
        long runId = started.jsonPath().getLong("id");
        assertEquals("RUNNING", started.jsonPath().getString("status"));
        assertEquals("FULL", started.jsonPath().getString("mode"));
        assertTrue(started.header("Location").endsWith("/api/pull-runs/" + runId));

        Sandbox.await("progress to show", Duration.ofSeconds(30), () -> {
            JsonPath p = PullSafetyTest.run(runId);
            return "RUNNING".equals(p.getString("status")) && Integer.valueOf(120).equals(p.get("total"))
                    && p.getInt("processed") > 0
                    && p.getInt("processed") < 120;
        });
        JsonPath done = PullSafetyTest.awaitEnd(runId);
        assertEquals("DONE", done.getString("status"));
        assertEquals(120, done.getInt("processed"));
        assertEquals(60, done.getInt("updated"));
        assertEquals(60, done.getInt("unchanged"));
        assertTrue(done.getLong("durationMs") > 0);
        assertEquals(10, sandbox.shopify().available("R-001"));
    }

    @Test
    void aRunningPullCanBeCancelledAndEndsCancelledWithWhatItDid() {
        slowCatalogue(200, 80);
        long runId = PullSafetyTest.startPull(store.storeId(), Map.of()).getLong("id");
        Sandbox.await("the pull to read a little", Duration.ofSeconds(30),
                () -> PullSafetyTest.run(runId).getInt("processed") >= 40);

        Api.admin().post("/api/pull-runs/" + runId + "/cancel").then().statusCode(202).body("id", equalTo((int) runId));
        JsonPath done = PullSafetyTest.awaitEnd(runId);
        assertEquals("CANCELLED", done.getString("status"));
        assertTrue(done.getInt("processed") < 200, "it stopped early: " + done.getInt("processed"));
        assertTrue(done.getString("reason").contains("cancelled"));
        // Reading happens before writing: a run cancelled while reading wrote nothing.
        assertTrue(sandbox.shopify().stockWrites().isEmpty());

        Api.admin().post("/api/pull-runs/" + runId + "/cancel").then().statusCode(409)
                .body("error", equalTo("pull_run_finished"));
        // The store's pull lock is free again.
        assertEquals("DONE", PullSafetyTest.pullAndWait(store.storeId(), Map.of("limit", 5)).getString("status"));
    }

    @Test
    void aRunLeftRunningByADeadReplicaIsMarkedInterruptedButALiveOneIsNot() throws Exception {
        // A row as a replica that was SIGKILLed mid-pull leaves it: RUNNING, and nobody holds the store's pull lock.
        long orphan = db.rows("INSERT INTO pull_runs (store_id, trigger, kind, status, owner) VALUES ($1, 'MANUAL',"
                + " 'FULL', 'RUNNING', 'pull-dead-replica') RETURNING id", store.storeId()).get(0).getLong(0);
        // And a run another replica is executing right now: its pull lock is held.
        Sandbox.Wired busy = sandbox.shopifyStore();
        long live = db.rows("INSERT INTO pull_runs (store_id, trigger, kind, status, owner) VALUES ($1, 'MANUAL',"
                + " 'FULL', 'RUNNING', 'pull-live-replica') RETURNING id", busy.storeId()).get(0).getLong(0);
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        locks.withPullLock(busy.storeId(), () -> Uni.createFrom().item(true).invoke(held::complete)
                        .chain(x -> Uni.createFrom().completionStage(release)))
                .subscribe().with(x -> { }, held::completeExceptionally);
        assertTrue(held.get());

        runner.markInterrupted().await().atMost(Duration.ofSeconds(10));

        JsonPath interrupted = PullSafetyTest.run(orphan);
        assertEquals("INTERRUPTED", interrupted.getString("status"));
        assertTrue(interrupted.getString("reason").contains("stopped"));
        assertEquals("RUNNING", PullSafetyTest.run(live).getString("status"));

        release.complete(null);
        Sandbox.await("the live run's lock to be released", Duration.ofSeconds(10), () -> {
            runner.markInterrupted().await().atMost(Duration.ofSeconds(10));
            return "INTERRUPTED".equals(PullSafetyTest.run(live).getString("status"));
        });
    }

    @Test
    void aRunWhoseWarehouseIsGoneFailsWithThatReasonAndWritesNothing() {
        slowCatalogue(3, 0);
        db.rows("UPDATE store_integrations SET warehouse_id = 'GONEGONEGONEGONE' WHERE id = $1 RETURNING id",
                store.integrationId());
        JsonPath failed = PullSafetyTest.pullAndWait(store.storeId(), Map.of());
        assertEquals("FAILED", failed.getString("status"));
        assertTrue(failed.getString("reason").contains("GONEGONEGONEGONE"), failed.getString("reason"));
        assertTrue(failed.getString("reason").contains("no longer exists"));
        assertTrue(sandbox.shopify().stockWrites().isEmpty());
    }

    @Test
    void unknownRunsAre404AndTheRunListShowsTheNewestFirst() {
        Api.admin().get("/api/pull-runs/987654321").then().statusCode(404).body("error", equalTo("pull_run_not_found"));
        Api.admin().post("/api/pull-runs/987654321/cancel").then().statusCode(404);
        slowCatalogue(2, 0);
        long first = PullSafetyTest.pullAndWait(store.storeId(), Map.of()).getLong("id");
        long second = PullSafetyTest.pullAndWait(store.storeId(), Map.of("dryRun", true)).getLong("id");
        Api.admin().get("/api/stores/" + store.storeId() + "/pulls").then().statusCode(200)
                .body("[0].id", equalTo((int) second))
                .body("[0].dryRun", equalTo(true))
                .body("[1].id", equalTo((int) first));
    }

    @Test
    void unmanagedWooCommerceItemsAreLeftAloneUnlessTheStoreOptsIn() {
        Sandbox.Wired woo = sandbox.wooStore();
        sandbox.wooProduct(woo, "U-1", 12, 5);
        sandbox.wooProduct(woo, "U-2", 7, 3);
        Api.admin().post("/api/stores/" + woo.storeId() + "/catalog/import").then().statusCode(200);
        // The merchant turned stock management off for U-2 in WooCommerce after the import.
        sandbox.woo().setStock("U-2", null);

        JsonPath first = PullSafetyTest.pullAndWait(woo.storeId(), Map.of());
        assertEquals(1, first.getInt("updated"));
        assertEquals(1, first.getInt("skipped"));
        assertTrue(!sandbox.woo().managesStock("U-2"), "a pull does not turn stock management on by itself");
        assertEquals("SKIPPED_UNMANAGED", db.rows("SELECT action FROM sync_logs WHERE pull_run_id = $1 AND sku = 'U-2'",
                first.getLong("id")).get(0).getString(0));

        Api.admin().body(Map.of("syncUnmanagedStock", true)).patch("/api/stores/" + woo.storeId()).then().statusCode(200);
        JsonPath second = PullSafetyTest.pullAndWait(woo.storeId(), Map.of());
        assertEquals(1, second.getInt("updated"));
        assertTrue(sandbox.woo().managesStock("U-2"));
        assertEquals(7, sandbox.woo().stockOf("U-2"));
    }
}
