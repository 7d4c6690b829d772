package ec.stocksync.sync;

import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoException;
import ec.stocksync.contifico.ContificoProductResolver;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.storefront.StorefrontClient;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import ec.stocksync.storefront.StorefrontItem;
import ec.stocksync.storefront.StockWrite;
import ec.stocksync.storefront.StockWriteResult;
import ec.stocksync.common.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.math.RoundingMode;

/**
 * Pulls: Contifico is the source of truth for stock and the storefront follows it. The per-SKU step is shared by the
 * post-push pull, the selective pull and the full pulls.
 */
@ApplicationScoped
public class SyncService {

    private static final Logger LOG = Logger.getLogger(SyncService.class);

    @Inject
    StoreContexts contexts;
    @Inject
    ContificoClient contifico;
    @Inject
    ContificoProductResolver products;
    @Inject
    StorefrontClients storefronts;
    @Inject
    StockCache cache;
    @Inject
    SyncLogs logs;
    @Inject
    SyncConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    AdvisoryLocks locks;
    @Inject
    PullRuns runs;

    /** Below this many SKUs a full pull reads them one by one; above, paging the storefront catalogue is cheaper. */
    static final int CATALOGUE_READ_THRESHOLD = 20;

    /**
     * Full pull: every mapped SKU of the store (or the first {@code limit}) follows Contifico. Holds the store's pull
     * lock, so a second full pull of the same store, from any replica, fails at once with 409 {@code pull_in_progress};
     * pushes are never blocked (their locks are separate). One SKU's failure does not stop the others.
     */
    public Uni<PullSummary> pullFromIntegration(long storeId, Long integrationId, SyncOptions options,
                                                SyncTrigger trigger) {
        return contexts.load(storeId, integrationId)
                .chain(ctx -> locks.withPullLock(storeId, () -> fullPull(ctx, options, trigger)))
                .map(done -> done.orElseThrow(() -> ApiException.conflict("pull_in_progress",
                        "A full pull of store " + storeId + " is already running; try again when it finishes.")));
    }

    private Uni<PullSummary> fullPull(StoreContext ctx, SyncOptions options, SyncTrigger trigger) {
        long started = System.nanoTime();
        return runs.start(ctx.storeId(), ctx.integrationId(), trigger, "FULL", options.dryRun())
                .chain(runId -> cache.mapped(ctx.storeId(), options.limit(), config.recentPushWindow())
                        .chain(skus -> pullMapped(ctx, skus, options))
                        .call(results -> options.dryRun() ? Uni.createFrom().voidItem()
                                : cache.recordPulls(ctx.storeId(), results))
                        .call(results -> logs.writeAll(ctx.storeId(), ctx.integrationId(), runId, trigger, results))
                        .map(results -> PullSummary.of(runId, ctx.storeId(), trigger, options.dryRun(), results,
                                (System.nanoTime() - started) / 1_000_000))
                        .call(summary -> runs.finish(runId, "DONE", summary))
                        .invoke(summary -> LOG.infof("full pull store=%d trigger=%s: %d processed, %d updated, %d unchanged,"
                                        + " %d skipped, %d failed in %d ms", ctx.storeId(), trigger, summary.processed(),
                                summary.updated(), summary.unchanged(), summary.skipped(), summary.failed(),
                                summary.durationMs()))
                        .onFailure().call(e -> runs.finish(runId, "FAILED", Map.of("error",
                                String.valueOf(e.getMessage())))));
    }

    private Uni<List<SkuPullResult>> pullMapped(StoreContext ctx, List<StockCache.MappedSku> skus, SyncOptions options) {
        List<SkuPullResult> skipped = new ArrayList<>();
        List<StockCache.MappedSku> todo = new ArrayList<>();
        for (StockCache.MappedSku m : skus) {
            if (m.recentlyPushed() && !options.skipRecentPushCheck()) {
                skipped.add(new SkuPullResult(m.sku(), SyncAction.SKIPPED_RECENT_PUSH, null, null, null,
                        "pushed within the last " + config.recentPushWindow().toMinutes() + " min"));
            } else {
                todo.add(m);
            }
        }
        if (todo.isEmpty()) {
            return Uni.createFrom().item(skipped);
        }
        ContificoConnection conn = ContificoConnection.of(ctx.integration());
        StorefrontClient storefront = storefronts.forStore(ctx.store());
        Uni<Map<String, Read<BigDecimal>>> erpFigures = readEach(todo,
                m -> contifico.stockInWarehouse(conn, m.contificoProductId()));
        Uni<Map<String, Integer>> open = cache.openDelta(ctx.storeId(), todo.stream().map(StockCache.MappedSku::sku).toList());
        return Uni.combine().all().unis(erpFigures, open, currentStorefront(storefront, todo)).asTuple().chain(t -> {
            Map<String, Read<BigDecimal>> erp = t.getItem1();
            List<SkuPullResult> results = new ArrayList<>(skipped);
            List<StockWrite> writes = new ArrayList<>();
            for (StockCache.MappedSku m : todo) {
                Read<BigDecimal> figure = erp.get(m.sku());
                Read<StorefrontItem> seen = t.getItem3().getOrDefault(m.sku(), Read.failed(new IllegalStateException(
                        "the SKU is no longer in the storefront's catalogue; run a catalogue import")));
                if (figure.failure() != null) {
                    results.add(SkuPullResult.error(m.sku(), "Contifico: " + figure.failure().getMessage()));
                } else if (seen.failure() != null) {
                    results.add(new SkuPullResult(m.sku(), SyncAction.ERROR, figure.value(), null, null,
                            "storefront: " + seen.failure().getMessage()));
                } else {
                    Decision d = decide(seen.value(), figure.value(), t.getItem2().getOrDefault(m.sku(), 0), options.dryRun());
                    if (d.write() == null) {
                        results.add(d.result());
                    } else {
                        writes.add(d.write());
                    }
                }
            }
            if (writes.isEmpty()) {
                return Uni.createFrom().item(results);
            }
            return storefront.setStocks(writes).map(written -> {
                for (StockWriteResult w : written) {
                    String sku = w.write().item().sku();
                    BigDecimal figure = erp.get(sku).value();
                    results.add(w.ok()
                            ? new SkuPullResult(sku, SyncAction.UPDATED, figure, w.write().expectedCurrent(), w.written(), null)
                            : new SkuPullResult(sku, SyncAction.ERROR, figure, w.write().expectedCurrent(), null,
                            "storefront: " + w.error().getMessage()));
                }
                return results;
            });
        });
    }

    /** A value read for one SKU, or why it could not be read: one SKU's failure must not fail the whole pull. */
    record Read<T>(T value, Throwable failure) {
        static <T> Read<T> failed(Throwable failure) {
            return new Read<>(null, failure);
        }
    }

    /** What a pull does for one SKU, given both figures: a final result, or a storefront write to make. */
    record Decision(SkuPullResult result, StockWrite write) {
    }

    static Decision decide(StorefrontItem item, BigDecimal erp, int openDelta, boolean dryRun) {
        int target = publishable(erp.add(BigDecimal.valueOf(openDelta)));
        boolean differs = item.stock() == null || item.stock() != target || !item.managed();
        if (dryRun) {
            return new Decision(new SkuPullResult(item.sku(), differs ? SyncAction.DRY_RUN : SyncAction.UNCHANGED, erp,
                    item.stock(), target, null), null);
        }
        if (!differs) {
            return new Decision(new SkuPullResult(item.sku(), SyncAction.UNCHANGED, erp, item.stock(), item.stock(), null),
                    null);
        }
        return new Decision(null, new StockWrite(item, item.stock(), target));
    }

    /** Reads one value per SKU, a few at a time, keeping each SKU's failure to itself. */
    private <T> Uni<Map<String, Read<T>>> readEach(List<StockCache.MappedSku> skus,
                                                   Function<StockCache.MappedSku, Uni<T>> read) {
        return Multi.createFrom().iterable(skus)
                .onItem().transformToUni(m -> read.apply(m)
                        .map(v -> new Read<>(v, null))
                        .onFailure().recoverWithItem(Read::<T>failed)
                        .map(r -> Map.entry(m.sku(), r)))
                .merge(Math.max(1, config.concurrency()))
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** The storefront's current stock per SKU: read one by one for a few SKUs, by paging the catalogue for many. */
    private Uni<Map<String, Read<StorefrontItem>>> currentStorefront(StorefrontClient storefront,
                                                                     List<StockCache.MappedSku> todo) {
        if (todo.size() <= CATALOGUE_READ_THRESHOLD) {
            return readEach(todo, m -> storefront.readStock(m.item()));
        }
        Set<String> wanted = new HashSet<>();
        todo.forEach(m -> wanted.add(m.sku()));
        return storefront.catalogue()
                .select().where(i -> wanted.contains(i.sku()))
                .collect().asMap(StorefrontItem::sku, i -> new Read<>(i, null), (a, b) -> a)
                .onFailure().recoverWithItem(e -> {
                    Map<String, Read<StorefrontItem>> failed = new HashMap<>();
                    wanted.forEach(sku -> failed.put(sku, Read.failed(e)));
                    return failed;
                });
    }

    /**
     * Pulls the given SKUs now. Takes no lock: it may run beside pushes and full pulls. Without
     * {@code skipRecentPushCheck} it leaves out SKUs pushed in the last minutes.
     */
    public Uni<List<SkuPullResult>> pullFromIntegrationSelective(long storeId, Long integrationId, List<String> skus,
                                                                 SyncOptions options, SyncTrigger trigger) {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(skus));
        List<String> chosen = options.limit() == null ? distinct
                : distinct.subList(0, Math.min(options.limit(), distinct.size()));
        return contexts.load(storeId, integrationId).chain(ctx -> Multi.createFrom().iterable(chosen)
                .onItem().transformToUni(sku -> pullSku(ctx, sku, options, trigger, null, null))
                .merge(Math.max(1, config.concurrency()))
                // merge() finishes in completion order; answer in the order asked.
                .collect().asMap(SkuPullResult::sku)
                .map(results -> chosen.stream().map(results::get).toList()));
    }

    /**
     * One SKU: read Contifico's stock in the integration's warehouse, set the storefront to it when it differs (never
     * below 0: Contifico's real figure stays in sync_logs), update the cache, write sync_logs. Never fails: an error
     * becomes an ERROR row and result, so one SKU cannot stop the others.
     */
    public Uni<SkuPullResult> pullSku(StoreContext ctx, String sku, SyncOptions options, SyncTrigger trigger,
                                      Long movementId, Long pullRunId) {
        Timer.Sample sample = Timer.start(registry);
        Uni<SkuPullResult> result = options.skipRecentPushCheck()
                ? read(ctx, sku, options)
                : cache.pushedWithin(ctx.storeId(), sku, config.recentPushWindow()).chain(recent -> {
                    if (recent) {
                        LOG.infof("pull store=%d sku=%s skipped: pushed within the last %s", ctx.storeId(), sku,
                                config.recentPushWindow());
                        return Uni.createFrom().item(new SkuPullResult(sku, SyncAction.SKIPPED_RECENT_PUSH, null, null,
                                null, "pushed within the last " + config.recentPushWindow().toMinutes() + " min"));
                    }
                    return read(ctx, sku, options);
                });
        return result
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("pull store=%d sku=%s failed: %s", ctx.storeId(), sku, e.getMessage());
                    return SkuPullResult.error(sku, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                })
                .call(r -> logs.write(ctx.storeId(), ctx.integrationId(), pullRunId, movementId, trigger, r)
                        .onFailure().invoke(e -> LOG.errorf(e, "could not write sync_logs for store=%d sku=%s",
                                ctx.storeId(), sku))
                        .onFailure().recoverWithNull())
                .invoke(r -> sample.stop(registry.timer("stocksync.pull.latency", "trigger", trigger.name(),
                        "action", r.action().name())));
    }

    private Uni<SkuPullResult> read(StoreContext ctx, String sku, SyncOptions options) {
        ContificoConnection conn = ContificoConnection.of(ctx.integration());
        StorefrontClient storefront = storefronts.forStore(ctx.store());
        Uni<BigDecimal> contificoStock = products.productId(ctx.storeId(), conn, sku)
                .chain(productId -> contifico.stockInWarehouse(conn, productId))
                // A cached id Contifico no longer knows: forget it, so the next pull searches the SKU again.
                .onFailure(e -> e instanceof ContificoException.NotFound nf && nf.sku() == null)
                .call(() -> products.forget(ctx.storeId(), sku));
        // Contifico first: the storefront figure is read after it, as close as possible to the write.
        return contificoStock.chain(erp -> cache.openDelta(ctx.storeId(), List.of(sku))
                .chain(open -> storefrontItem(ctx, storefront, sku)
                        .chain(item -> apply(ctx, storefront, item, erp, open.getOrDefault(sku, 0), options))));
    }

    /** Reads by the remembered ids when we have them; searches by SKU the first time, or when the ids went stale. */
    private Uni<StorefrontItem> storefrontItem(StoreContext ctx, StorefrontClient storefront, String sku) {
        return cache.cachedItem(ctx.storeId(), sku).chain(cached -> cached == null
                ? storefront.findBySku(sku)
                : storefront.readStock(cached)
                        .onFailure(e -> e instanceof StorefrontException se && se.kind() == StorefrontException.Kind.NOT_FOUND)
                        .recoverWithUni(() -> storefront.findBySku(sku)));
    }

    private Uni<SkuPullResult> apply(StoreContext ctx, StorefrontClient storefront, StorefrontItem item,
                                     BigDecimal erp, int openDelta, SyncOptions options) {
        Decision d = decide(item, erp, openDelta, options.dryRun());
        if (d.write() == null) {
            return options.dryRun() ? Uni.createFrom().item(d.result())
                    : cache.recordPull(ctx.storeId(), item.sku(), item, item.stock(), erp).replaceWith(d.result());
        }
        return storefront.setStock(item, item.stock(), d.write().newQuantity())
                .chain(written -> cache.recordPull(ctx.storeId(), item.sku(), written, written.stock(), erp)
                        .replaceWith(new SkuPullResult(item.sku(), SyncAction.UPDATED, erp, item.stock(), written.stock(), null)));
    }

    /**
     * Storefronts cannot sell a negative or a fraction: publish the whole units, at least 0. Callers pass Contifico's
     * figure plus the sales still in the queue ({@link StockCache#openDelta}).
     */
    static int publishable(BigDecimal contificoStock) {
        if (contificoStock == null || contificoStock.signum() <= 0) {
            return 0;
        }
        return contificoStock.setScale(0, RoundingMode.FLOOR).intValueExact();
    }
}
