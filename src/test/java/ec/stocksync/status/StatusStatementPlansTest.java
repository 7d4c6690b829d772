package ec.stocksync.status;

import ec.stocksync.common.PlannedOnce;
import ec.stocksync.support.Api;
import ec.stocksync.support.GenericPlans;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status table's cached statements ({@link PlannedOnce}): the version read every status request makes (all of the
 * {@code 304} path) and the patch of a kept snapshot. Their generic plans, made without the store, the snapshot or the
 * changed SKUs, must still reach that store's rows through their keys, the changed SKUs one by one: a store of 10,000
 * SKUs must not have its whole cache read on every patch.
 */
@QuarkusTest
class StatusStatementPlansTest {

    @Inject
    GenericPlans plans;
    @Inject
    Pool pool;

    @Test
    void theVersionReadReachesTheStoreAndItsVersionSlotsByKeyInItsGenericPlan() {
        assertTrue(SyncStatusQuery.VERSION_OF_STORE.startsWith(PlannedOnce.MARK));
        GenericPlans.assertReadByKey("version", plans.scans(SyncStatusQuery.VERSION_OF_STORE, "1", true),
                Map.of("stores", List.of("id"), "status_versions", List.of("store_id")));
    }

    /**
     * Over an analysed store of 3,000 SKUs: on a nearly empty table every index on (store_id, ...) costs the same, and
     * the planner may probe the SKU through any of them; what must hold is that a real store is read SKU by SKU.
     */
    @Test
    void thePatchReadsTheChangedSkusOneByOneInItsGenericPlan() {
        assertTrue(SyncStatusQuery.PATCH.startsWith(PlannedOnce.MARK));
        long storeId = Api.createWooStore();
        pool.preparedQuery("""
                        INSERT INTO stock_cache (store_id, sku, contifico_product_id)
                        SELECT $1, 'plan-' || i, 'plan-product-' || i FROM generate_series(1, 3000) i""")
                .execute(Tuple.of(storeId))
                .chain(() -> pool.query("ANALYZE stock_cache, sync_status_latest").execute())
                .await().atMost(Duration.ofSeconds(60));
        try {
            GenericPlans.assertReadByKey("patch",
                    plans.scans(SyncStatusQuery.PATCH, "1, '100:100:', 500, '2026-12-01 10:00:00+00', 10000", true),
                    Map.of("status_changes", List.of("store_id"),
                            "status_changes_pruned", List.of(),
                            // The store's open movements (a partial index), which stay few; the SKUs may be a filter.
                            "inventory_movements_queue", List.of("store_id"),
                            "stock_cache", List.of("store_id", "sku"),
                            "sync_status_latest", List.of("store_id", "sku"),
                            "status_versions", List.of("store_id")));
        } finally {
            pool.preparedQuery("DELETE FROM stock_cache WHERE store_id = $1").execute(Tuple.of(storeId))
                    .await().atMost(Duration.ofSeconds(30));
        }
    }
}
