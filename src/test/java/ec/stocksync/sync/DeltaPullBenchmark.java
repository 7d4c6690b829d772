package ec.stocksync.sync;

import ec.stocksync.contifico.NewMovement;
import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.support.Api;
import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Delta pull against the full sweep on a 5,000-SKU store whose Contifico answers in 600 ms a call (issue 10's
 * benchmark). Prints figures; asserts only correctness, never time. Run it alone: {@code ./mvnw -Pbenchmark test}.
 *
 * <p>The sweep at 600 ms a call is measured on {@value #SWEEP_SAMPLE} SKUs and projected to the whole store (a real
 * one takes about a quarter of an hour at the default pace); its call count is the real one, taken without latency.
 */
@QuarkusTest
@Tag("benchmark")
class DeltaPullBenchmark {

    static final int SKUS = 5_000;
    static final int LATENCY_MS = 600;
    static final int SWEEP_SAMPLE = 150;

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    PullScheduler scheduler;

    @Test
    void aScheduledDeltaPullReadsWhatChangedAndNotTheCatalogue() {
        sandbox.reset();
        ContificoSimulator contifico = sandbox.contifico();
        Sandbox.Wired store = sandbox.shopifyStore();
        ContificoSimulator.SimWarehouse other = contifico.addWarehouse("BODN", "Bodega Norte");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SKUS; i++) {
            String sku = "BX-%05d".formatted(i);
            ContificoSimulator.SimProduct p = contifico.addProduct(sku, "Producto " + sku, true);
            contifico.setStock(p.id, store.warehouseId(), BigDecimal.valueOf(40));
            contifico.setStock(p.id, other.id(), BigDecimal.valueOf(10));
            sandbox.shopify().addProduct("Producto " + sku, ShopifySimulator.variant(sku, "Default", 40));
            ids.add(p.id);
        }
        Api.admin().post("/api/stores/" + store.storeId() + "/catalog/import").then().statusCode(200);

        // The sweep that leaves the baseline, without latency: its call count is what a sweep costs.
        int before = contifico.totalCount();
        long t0 = System.nanoTime();
        assertEquals("DONE", PullSafetyTest.pullAndWait(store.storeId(), Map.of()).getString("status"));
        long sweepNoLatencyMs = (System.nanoTime() - t0) / 1_000_000;
        int sweepCalls = contifico.totalCount() - before;

        // 50 SKUs change in Contifico: purchases (inventory movements), counter sales (documents), transfers in.
        contifico.documentsAffectStock(true);
        for (int i = 0; i < 50; i++) {
            String id = ids.get(i * 97);
            switch (i % 3) {
                case 0 -> contifico.addMovement("ING", NewMovement.today(), store.warehouseId(), null,
                        Map.of(id, BigDecimal.valueOf(5)));
                case 1 -> contifico.addDocument("FAC", NewMovement.today(), store.warehouseId(),
                        Map.of(id, BigDecimal.valueOf(2)));
                default -> contifico.addMovement("TRA", NewMovement.today(), other.id(), store.warehouseId(),
                        Map.of(id, BigDecimal.valueOf(3)));
            }
        }
        contifico.setFault(ContificoSimulator.Endpoint.ANY, ContificoSimulator.Fault.latency(LATENCY_MS, -1));

        before = contifico.totalCount();
        t0 = System.nanoTime();
        scheduler.pullStore(store.storeId(), PullMode.DELTA, java.time.Instant.now()).await().atMost(Duration.ofMinutes(10));
        long deltaMs = (System.nanoTime() - t0) / 1_000_000;
        int deltaCalls = contifico.totalCount() - before;
        Row run = db.rows("SELECT * FROM pull_runs WHERE store_id = $1 AND kind = 'DELTA' ORDER BY id DESC LIMIT 1",
                store.storeId()).get(0);
        assertEquals("DONE", run.getString("status"));
        assertEquals(50, run.getInteger("total"));
        assertEquals(50, run.getInteger("updated"));
        assertEquals(45, sandbox.shopify().available("BX-00000"));
        assertEquals(38, sandbox.shopify().available("BX-00097"));
        assertEquals(43, sandbox.shopify().available("BX-00194"));

        before = contifico.totalCount();
        t0 = System.nanoTime();
        long sample = PullSafetyTest.startPull(store.storeId(), Map.of("limit", SWEEP_SAMPLE)).getLong("id");
        Sandbox.await("the sweep sample", Duration.ofMinutes(10),
                () -> !"RUNNING".equals(PullSafetyTest.run(sample).getString("status")));
        long sampleMs = (System.nanoTime() - t0) / 1_000_000;
        int sampleCalls = contifico.totalCount() - before;
        long projectedSweepMs = sampleMs * SKUS / SWEEP_SAMPLE;
        contifico.clearFaults();

        System.out.printf("%n=== Delta pull benchmark: %,d mapped SKUs, 50 changed in Contifico, %d ms per Contifico call ===%n",
                SKUS, LATENCY_MS);
        System.out.printf("%-44s %16s %16s%n", "", "Contifico calls", "wall time");
        System.out.printf("%-44s %,16d %14.1f s%n", "scheduled delta pull (50 SKUs read)", deltaCalls, deltaMs / 1000.0);
        System.out.printf("%-44s %,16d %14.1f s%n", "full sweep, projected from " + SWEEP_SAMPLE + " SKUs", sweepCalls,
                projectedSweepMs / 1000.0);
        System.out.printf("%-44s %16s %14.1f s%n", "  (sweep sample: " + sampleCalls + " calls)", "", sampleMs / 1000.0);
        System.out.printf("%-44s %,16d %14.1f s%n", "full sweep without latency (baseline run)", sweepCalls,
                sweepNoLatencyMs / 1000.0);
        System.out.printf("targets: delta pull <= 100 calls: %s; <= 60 s: %s%n%n", deltaCalls <= 100 ? "met" : "MISSED",
                deltaMs <= 60_000 ? "met" : "MISSED");

        String section = "delta pull, 5,000 SKUs, 50 changed, Contifico at 600 ms a call";
        BenchFigures.atMost(section, "scheduled delta pull: Contifico calls", deltaCalls, "", 100);
        BenchFigures.atMost(section, "scheduled delta pull: wall time", deltaMs / 1000.0, "s", 60);
        BenchFigures.info(section, "full sweep: Contifico calls", "%,d".formatted(sweepCalls));
        BenchFigures.info(section, "full sweep: wall time, projected from " + SWEEP_SAMPLE + " SKUs",
                "≈ " + BenchFigures.fmt(projectedSweepMs / 1000.0) + " s");
    }
}
