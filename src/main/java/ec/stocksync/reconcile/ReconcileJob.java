package ec.stocksync.reconcile;

import ec.stocksync.cluster.ScheduleClaims;
import ec.stocksync.store.StoreContexts;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Reconciles every active store on a schedule. Every replica fires it, each at its own phase; per store and period, the
 * replica that wins the {@link ScheduleClaims schedule claim} runs it and the others skip it. The store's reconcile lock
 * still keeps a manual reconciliation and a scheduled one apart.
 */
@ApplicationScoped
public class ReconcileJob {

    private static final Logger LOG = Logger.getLogger(ReconcileJob.class);

    @Inject
    StoreContexts contexts;
    @Inject
    ReconciliationService reconciliation;
    @Inject
    ScheduleClaims claims;
    /** The schedule's period ("off" never fires, so its value then does not matter). */
    @ConfigProperty(name = "stocksync.reconcile.every", defaultValue = "10m")
    String every;

    @Scheduled(identity = "reconcile-stores", every = "${stocksync.reconcile.every:10m}",
            delayed = "${stocksync.reconcile.delayed:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reconcileActiveStores() {
        return contexts.activeStoreIds()
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                // One store at a time: a run holds a pooled connection for its lock, and the storefronts are not in a hurry.
                .onItem().transformToUniAndConcatenate(id -> claims.claimEvery("reconcile", id, every)
                        .chain(won -> won ? reconciliation.tryReconcile(id) : Uni.createFrom().item(Optional.empty()))
                        .invoke(done -> {
                            if (done.isEmpty()) {
                                LOG.debugf("store %d is reconciled by another replica this period: skipped", id);
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
