package ec.stocksync.sync;

import ec.stocksync.cluster.ScheduleClaims;
import ec.stocksync.common.ApiException;
import ec.stocksync.store.StoreContexts;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Scheduled pulls: a delta pull often, a full sweep seldom. The schedules fire on every replica; per store and period,
 * the replica that wins the store's {@link ScheduleClaims schedule claim} runs it and the others skip it.
 */
@ApplicationScoped
public class PullScheduler {

    private static final Logger LOG = Logger.getLogger(PullScheduler.class);

    @Inject
    StoreContexts contexts;
    @Inject
    PullRunner runner;
    @Inject
    ScheduleClaims claims;

    /**
     * A scheduled full sweep that finds its store busy (a delta or manual pull) looks again this often, for up to 20
     * minutes; a look is one query and one try-lock.
     */
    static final Duration BUSY_RETRY = Duration.ofSeconds(5);
    static final int BUSY_RETRIES = 240;

    @Scheduled(identity = "scheduled-delta-pull", cron = "${stocksync.sync.schedule:0 */15 * * * ?}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> deltaPullAllStores(ScheduledExecution execution) {
        return pullAll(PullMode.DELTA, execution.getScheduledFireTime());
    }

    @Scheduled(identity = "scheduled-full-sweep", cron = "${stocksync.sync.full-sweep-schedule:0 7 3 * * ?}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> fullSweepAllStores(ScheduledExecution execution) {
        return pullAll(PullMode.FULL, execution.getScheduledFireTime());
    }

    /** Every replica fires the schedule; per store, the one that claims this period runs it (rule 7). */
    Uni<Void> pullAll(PullMode mode, Instant period) {
        return storesToPull()
                .chain(ids -> Multi.createFrom().iterable(ids)
                        .onItem().transformToUniAndConcatenate(id -> pullStore(id, mode, period))
                        .collect().last())
                .replaceWithVoid();
    }

    /** Active stores with an active integration that did not opt out of scheduled pulls. */
    Uni<List<Long>> storesToPull() {
        return contexts.scheduledPullStoreIds();
    }

    /**
     * One store's scheduled pull of the period that began at {@code period}, to its end: stores are pulled one after
     * the other, never all at once. Skipped when another replica claimed the period. A sweep that finds the store busy
     * with another pull waits and tries again: skipping it would leave the store without its nightly backstop.
     */
    Uni<Void> pullStore(long storeId, PullMode mode, Instant period) {
        return claims.claim("scheduled-" + mode.name().toLowerCase(Locale.ROOT) + "-pull", storeId, period)
                .chain(won -> {
                    if (!won) {
                        LOG.debugf("scheduled %s pull of store %d for %s is another replica's", mode, storeId, period);
                        return Uni.createFrom().voidItem();
                    }
                    return pullStore(storeId, mode, period, 0);
                });
    }

    private Uni<Void> pullStore(long storeId, PullMode mode, Instant period, int attempt) {
        return runner.start(storeId, mode, SyncOptions.SCHEDULED, SyncTrigger.SCHEDULED, period)
                .chain(run -> runner.whenFinished(run.id()))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    boolean busy = e instanceof ApiException ae && "pull_in_progress".equals(ae.code());
                    if (busy && mode == PullMode.FULL && attempt < BUSY_RETRIES) {
                        // Busy with a delta or manual pull: look again in a moment.
                        return Uni.createFrom().voidItem().onItem().delayIt().by(BUSY_RETRY)
                                .chain(() -> pullStore(storeId, mode, period, attempt + 1));
                    }
                    if (busy) {
                        LOG.debugf("scheduled %s pull of store %d skipped: another pull of it is running", mode,
                                storeId);
                    } else {
                        LOG.warnf("scheduled %s pull of store %d failed: %s", mode, storeId, e.getMessage());
                    }
                    return Uni.createFrom().voidItem();
                });
    }
}
