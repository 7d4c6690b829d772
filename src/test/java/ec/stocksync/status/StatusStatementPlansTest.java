package ec.stocksync.status;

import ec.stocksync.common.PlannedOnce;
import ec.stocksync.support.GenericPlans;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

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

    @Test
    void theVersionReadReachesTheStoreAndItsVersionSlotsByKeyInItsGenericPlan() {
        assertTrue(SyncStatusQuery.VERSION_OF_STORE.startsWith(PlannedOnce.MARK));
        GenericPlans.assertReadByKey("version", plans.scans(SyncStatusQuery.VERSION_OF_STORE, "1", true),
                Map.of("stores", List.of("id"), "status_versions", List.of("store_id")));
    }

    @Test
    void thePatchReadsTheChangedSkusOneByOneInItsGenericPlan() {
        assertTrue(SyncStatusQuery.PATCH.startsWith(PlannedOnce.MARK));
        GenericPlans.assertReadByKey("patch",
                plans.scans(SyncStatusQuery.PATCH, "1, '100:100:', 500, '2026-12-01 10:00:00+00', 10000", true),
                Map.of("status_changes", List.of("store_id"),
                        "status_changes_pruned", List.of(),
                        // The store's open movements (a partial index), which stay few; the SKUs may be a filter.
                        "inventory_movements_queue", List.of("store_id"),
                        "stock_cache", List.of("store_id", "sku"),
                        "sync_status_latest", List.of("store_id", "sku"),
                        "status_versions", List.of("store_id")));
    }
}
