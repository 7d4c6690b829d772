package ec.stocksync.sync;

import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 12 E: a push holds one pooled connection for its advisory lock while its queries need another. With the
 * worker's concurrency equal to the pool size, unbounded lock holders would take every connection and each wait for one
 * only another could free: nothing would move until the pool's acquisition timeout. The lock budget keeps connections
 * free for those queries, so the burst drains, and requests are answered meanwhile.
 */
@QuarkusTest
@TestProfile(PoolSafetyTest.PoolAsSmallAsTheWorker.class)
class PoolSafetyTest {

    public static class PoolAsSmallAsTheWorker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.reactive.max-size", "4",
                    "stocksync.worker.concurrency", "4",
                    // Small groups: more push units, each holding a lock.
                    "stocksync.worker.max-group-size", "1");
        }
    }

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    @AfterEach
    void stop() {
        worker.main().stop();
        sandbox.contifico().clearFaults();
    }

    @Test
    void aBurstOfSalesDrainsWithTheWorkersConcurrencyEqualToThePoolSize() throws Exception {
        sandbox.reset();
        Sandbox.Wired store = sandbox.shopifyStore();
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String sku = "POOL-" + i;
            sandbox.product(store, sku, 100, 100);
            skus.add(sku);
        }
        // Slow enough that four pushes hold their locks at the same time.
        sandbox.contifico().setFault(Endpoint.MOVEMENT_CREATE, Fault.latency(300, -1));
        for (int round = 0; round < 3; round++) {
            for (String sku : skus) {
                sandbox.sell(store.storeId(), sku, 1);
            }
        }
        worker.main().start();

        // The dashboard keeps polling while the burst drains: requests get connections too.
        ExecutorService dashboard = Executors.newSingleThreadExecutor();
        Future<Integer> polls = dashboard.submit(() -> {
            int answered = 0;
            while (!Thread.currentThread().isInterrupted() && doneCount(store) < 24) {
                Api.admin().get("/api/sync-status?storeId=" + store.storeId()).then().statusCode(200);
                answered++;
            }
            return answered;
        });
        // Without the budget this waits out the pool's acquisition timeout (30 s) again and again.
        Sandbox.await("24 sales pushed", Duration.ofSeconds(25), () -> doneCount(store) == 24);
        dashboard.shutdown();
        dashboard.awaitTermination(10, TimeUnit.SECONDS);
        polls.get();

        java.math.BigDecimal booked = sandbox.contifico().movements().stream()
                .map(m -> m.detalles().get(0).cantidad()).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
        assertEquals(0, java.math.BigDecimal.valueOf(24).compareTo(booked), "every sale booked once: " + booked);
        for (String sku : skus) {
            assertEquals(97, sandbox.shopify().available(sku), sku);
        }
    }

    private long doneCount(Sandbox.Wired store) {
        return db.count("SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1 AND status = 'DONE'",
                store.storeId());
    }
}
