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
 * The status table's cached statement ({@link PlannedOnce}): the version read every status request makes (all of the
 * {@code 304} path). Its generic plan, made without the store, must still reach that store's rows through their keys.
 * (The snapshot patch is not cached: on a small store's statistics its generic plan read the stock cache by store
 * and filtered the changed SKUs, which a store of 10,000 SKUs would pay on every patch until the next ANALYZE.)
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
}
