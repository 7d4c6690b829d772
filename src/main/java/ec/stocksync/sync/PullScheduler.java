package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Scheduled full pulls. The schedule fires on every replica; the store's pull lock makes exactly one of them run each
 * store's pull, and the others skip it.
 */
@ApplicationScoped
public class PullScheduler {

    private static final Logger LOG = Logger.getLogger(PullScheduler.class);

    @Inject
    Pool pool;
    @Inject
    SyncService sync;

    @Scheduled(identity = "scheduled-full-pull", cron = "${stocksync.sync.schedule}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> pullAllStores() {
        return storesToPull()
                .chain(ids -> Multi.createFrom().iterable(ids)
                        .onItem().transformToUniAndConcatenate(this::pullStore)
                        .collect().last())
                .replaceWithVoid();
    }

    /** Active stores with an active integration that did not opt out of scheduled pulls. */
    Uni<List<Long>> storesToPull() {
        return pool.query("""
                        SELECT s.id FROM stores s
                        WHERE s.active AND s.scheduled_pull_enabled
                          AND EXISTS (SELECT 1 FROM store_integrations i WHERE i.store_id = s.id AND i.active)
                        ORDER BY s.id""")
                .execute()
                .map(rows -> {
                    List<Long> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getLong(0)));
                    return ids;
                });
    }

    Uni<Void> pullStore(long storeId) {
        return sync.pullFromIntegration(storeId, null, new SyncOptions(false, null, false), SyncTrigger.SCHEDULED)
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    if (e instanceof ApiException ae && "pull_in_progress".equals(ae.code())) {
                        LOG.debugf("scheduled pull of store %d skipped: another replica is pulling it", storeId);
                    } else {
                        LOG.warnf("scheduled pull of store %d failed: %s", storeId, e.getMessage());
                    }
                    return Uni.createFrom().voidItem();
                });
    }
}
