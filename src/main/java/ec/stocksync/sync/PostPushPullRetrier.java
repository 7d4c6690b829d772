package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.observability.WorkScope;
import ec.stocksync.store.StoreContexts;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;

/**
 * Tries again the post-push pulls that failed (DESIGN flow: "a failed pull: log it, the push stays done"), so the status
 * row does not stay in Error until a later full pull. The due retries live in {@code stock_cache}, so they survive a
 * restart and any replica can run them; a claim keeps two replicas from running the same one.
 */
@ApplicationScoped
public class PostPushPullRetrier {

    private static final Logger LOG = Logger.getLogger(PostPushPullRetrier.class);
    /**
     * Claimed per round, all run at once: a claim outlives its run (slow Contifico included), so another replica never
     * takes a row still being retried here. Each pins a pooled connection for its push lock.
     */
    private static final int MAX_PER_ROUND = 3;
    /** Long enough for a slow Contifico read plus the storefront write; a dead replica's claim expires after it. */
    private static final Duration CLAIM = Duration.ofMinutes(2);

    @Inject
    StockCache cache;
    @Inject
    StoreContexts contexts;
    @Inject
    AdvisoryLocks locks;
    @Inject
    SyncService sync;
    @Inject
    SyncConfig config;
    @Inject
    WorkScope work;

    @Scheduled(identity = "post-push-pull-retry", every = "${stocksync.sync.post-push-retry.every:2s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> retryDue() {
        return cache.claimDueRetries(MAX_PER_ROUND, CLAIM)
                .chain(due -> Multi.createFrom().iterable(due)
                        .onItem().transformToUniAndMerge(this::retry)
                        .collect().asList())
                .onFailure().invoke(e -> LOG.warnf("post-push pull retries could not run: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> retry(StockCache.DueRetry due) {
        return work.isolated("stocksync.pull.after_push_retry", Map.of(WorkScope.STORE_ID,
                String.valueOf(due.storeId()), WorkScope.SKU, due.sku()), () -> retryHere(due));
    }

    private Uni<Void> retryHere(StockCache.DueRetry due) {
        return contexts.load(due.storeId(), null)
                // Under the push lock, like the post-push pull it replaces: no push of the SKU runs meanwhile.
                .chain(ctx -> locks.withPushLock(due.storeId(), due.sku(),
                        () -> sync.pullAfterPush(ctx, due.sku(), null, due.attempts() + 1)))
                .chain(done -> done.isPresent() ? Uni.createFrom().voidItem()
                        // A push of the SKU is running: its own post-push pull supersedes this one, but keep the retry
                        // in case that one fails too.
                        : cache.schedulePullRetry(due.storeId(), due.sku(), due.attempts(), Duration.ofSeconds(1)))
                .onFailure().recoverWithUni(e -> {
                    if (e instanceof ApiException) {
                        // The store was deleted or lost its integration: nothing to pull back any more.
                        LOG.infof("post-push pull of store=%d sku=%s dropped: %s", due.storeId(), due.sku(), e.getMessage());
                        return cache.giveUpPullRetry(due.storeId(), due.sku());
                    }
                    LOG.warnf("retry of the post-push pull of store=%d sku=%s failed: %s", due.storeId(), due.sku(),
                            e.getMessage());
                    return due.attempts() + 1 >= config.postPushRetry().maxAttempts()
                            ? cache.giveUpPullRetry(due.storeId(), due.sku())
                            : cache.schedulePullRetry(due.storeId(), due.sku(), due.attempts() + 1, CLAIM);
                });
    }
}
