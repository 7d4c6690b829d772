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
 * Scheduled pulls: a delta pull often, a full sweep seldom. The schedules fire on every replica; the store's pull lock
 * makes exactly one of them run each store's pull, and the others skip it.
 */
@ApplicationScoped
public class PullScheduler {

    private static final Logger LOG = Logger.getLogger(PullScheduler.class);

    @Inject
    Pool pool;
    @Inject
    PullRunner runner;

    @Scheduled(identity = "scheduled-delta-pull", cron = "${stocksync.sync.schedule}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> deltaPullAllStores() {
        return pullAll(PullMode.DELTA);
    }

    @Scheduled(identity = "scheduled-full-sweep", cron = "${stocksync.sync.full-sweep-schedule:0 30 3 * * ?}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> fullSweepAllStores() {
        return pullAll(PullMode.FULL);
    }

    private Uni<Void> pullAll(PullMode mode) {
        return storesToPull()
                .chain(ids -> Multi.createFrom().iterable(ids)
                        .onItem().transformToUniAndConcatenate(id -> pullStore(id, mode))
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

    /** One store's scheduled pull, to its end: stores are pulled one after the other, never all at once. */
    Uni<Void> pullStore(long storeId, PullMode mode) {
        return runner.start(storeId, mode, SyncOptions.SCHEDULED, SyncTrigger.SCHEDULED)
                .chain(run -> runner.whenFinished(run.id()))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    if (e instanceof ApiException ae && "pull_in_progress".equals(ae.code())) {
                        LOG.debugf("scheduled %s pull of store %d skipped: another replica is pulling it", mode, storeId);
                    } else {
                        LOG.warnf("scheduled %s pull of store %d failed: %s", mode, storeId, e.getMessage());
                    }
                    return Uni.createFrom().voidItem();
                });
    }
}
