package ec.stocksync.reconcile;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles every active store on a schedule. Every replica fires it; the store's reconcile lock (a try-lock) makes
 * exactly one of them run each store, and the others skip it at once.
 */
@ApplicationScoped
public class ReconcileJob {

    private static final Logger LOG = Logger.getLogger(ReconcileJob.class);

    @Inject
    Pool pool;
    @Inject
    ReconciliationService reconciliation;

    @Scheduled(identity = "reconcile-stores", every = "${stocksync.reconcile.every:10m}",
            delayed = "${stocksync.reconcile.delayed:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reconcileActiveStores() {
        return pool.query("SELECT id FROM stores WHERE active ORDER BY id").execute()
                .onItem().transformToMulti(rows -> {
                    List<Long> ids = new ArrayList<>();
                    for (Row r : rows) {
                        ids.add(r.getLong("id"));
                    }
                    return Multi.createFrom().iterable(ids);
                })
                // One store at a time: a run holds a pooled connection for its lock, and the storefronts are not in a hurry.
                .onItem().transformToUniAndConcatenate(id -> reconciliation.tryReconcile(id)
                        .invoke(done -> {
                            if (done.isEmpty()) {
                                LOG.debugf("store %d is being reconciled by another replica: skipped", id);
                            }
                        })
                        .onFailure().recoverWithItem(failure -> {
                            LOG.warnf(failure, "reconciliation of store %d failed", id);
                            return Optional.empty();
                        }))
                .collect().last()
                .replaceWithVoid();
    }
}
