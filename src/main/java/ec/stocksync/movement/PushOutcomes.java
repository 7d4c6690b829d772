package ec.stocksync.movement;

import ec.stocksync.contifico.ContificoProductResolver;
import ec.stocksync.sync.StockCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Records what happened to push units: the queue rows of failures (through {@link PushFailurePolicy}'s verdict), the
 * {@code stocksync.movements} counters, the push latency and the log lines. The pipeline in
 * {@link InventoryPushService} only says what happened.
 */
@ApplicationScoped
public class PushOutcomes {

    // The push's log category stays InventoryPushService: operators filter on it, and it names the feature, not the class.
    private static final Logger LOG = Logger.getLogger(InventoryPushService.class);

    private final MovementRepository repo;
    private final PushFailurePolicy policy;
    private final ContificoProductResolver products;
    private final StockCache cache;
    private final WorkerConfig config;
    private final MeterRegistry registry;

    public PushOutcomes(MovementRepository repo, PushFailurePolicy policy, ContificoProductResolver products,
                        StockCache cache, WorkerConfig config, MeterRegistry registry) {
        this.repo = repo;
        this.policy = policy;
        this.products = products;
        this.cache = cache;
        this.config = config;
        this.registry = registry;
    }

    /** Another worker holds the SKU's push lock: the unit goes back to the queue for a little while. */
    Uni<Void> deferLockBusy(String owner, List<Movement> group) {
        count("deferred_lock_busy", group.size());
        return repo.defer(owner, ids(group), policy.lockBusyDelay(group));
    }

    Timer.Sample pushStarted() {
        return Timer.start(registry);
    }

    void pushed(Timer.Sample sample, Movement first, BigDecimal quantity, String codigo, int members) {
        sample.stop(registry.timer("stocksync.push.latency", "kind", first.kind().name()));
        LOG.infof("pushed %s %s x%s store=%d as %s (%d movement(s))", first.kind(), first.sku(), quantity,
                first.storeId(), codigo, members);
    }

    void recoveredByLookup(String reference, String codigo, int members) {
        LOG.infof("push %s was booked in Contifico as %s although its answer was lost", reference, codigo);
        count("recovered_by_lookup", members);
    }

    void notFoundByLookup(String reference) {
        LOG.infof("push %s is not in Contifico: pushing again under a new reference", reference);
    }

    void cacheNotUpdated(Throwable e, Movement first) {
        LOG.errorf(e, "stock cache not updated after the push of store=%d sku=%s", first.storeId(), first.sku());
    }

    void done(int movements) {
        count("done", movements);
    }

    /** Writes the verdict on a failure to the queue. Never fails. */
    Uni<Void> failed(String owner, List<Movement> held, Throwable e) {
        List<Long> ids = ids(held);
        PushVerdict verdict = policy.verdict(e, held.stream().mapToInt(Movement::attempts).max().orElse(0));
        if (verdict.outcome() == PushVerdict.Outcome.LEASE_LOST) {
            LOG.warnf("lease on movements %s was lost; their new owner carries on", ids);
            return Uni.createFrom().voidItem();
        }
        if (verdict.unexpected()) {
            LOG.errorf(e, "unexpected failure pushing movements %s", ids);
        }
        Movement first = held.get(0);
        Uni<Void> before = verdict.forgetProductId()
                ? products.forget(first.storeId(), first.sku()) : Uni.createFrom().voidItem();
        return before.onFailure().recoverWithNull()
                .chain(() -> repo.fail(owner, ids, verdict.error(), verdict.delay(), config.maxAttempts(),
                        verdict.dead(), verdict.clearsDoubt(), verdict.spendsAttempt()))
                .invoke(rows -> rows.forEach(m -> {
                    count(m.status() == MovementStatus.DEAD ? "dead" : "retry", 1);
                    if (m.status() == MovementStatus.DEAD) {
                        LOG.warnf("movement %d (%s %s x%d) is DEAD after %d attempt(s): %s", m.id(), m.kind(), m.sku(),
                                m.quantity(), m.attempts(), m.lastError());
                    }
                }))
                // A DEAD sale gets no post-push pull, yet the storefront may show a figure a pull wrote over it: pull
                // the SKU once (its units now stay reserved) through the post-push retry queue.
                .call(rows -> Multi.createFrom().iterable(rows.stream().filter(m -> m.status() == MovementStatus.DEAD)
                                .map(m -> Map.entry(m.storeId(), m.sku())).distinct().toList())
                        .onItem().transformToUniAndConcatenate(k -> cache.schedulePullRetry(k.getKey(), k.getValue(), 0,
                                Duration.ZERO))
                        .collect().last()
                        .onFailure().invoke(x -> LOG.errorf(x, "could not schedule the pull of a DEAD movement's SKU"))
                        .onFailure().recoverWithNull())
                .replaceWithVoid();
    }

    private void count(String outcome, int n) {
        registry.counter("stocksync.movements", "outcome", outcome).increment(n);
    }

    static List<Long> ids(List<Movement> ms) {
        return ms.stream().map(Movement::id).toList();
    }
}
