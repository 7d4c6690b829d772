package ec.stocksync.sync;

import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoProductResolver;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.storefront.StorefrontClient;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import ec.stocksync.storefront.StorefrontItem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashSet;
import java.util.List;

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
                .collect().asList()
                // merge() finishes in completion order; answer in the order asked.
                .map(results -> chosen.stream()
                        .map(sku -> results.stream().filter(r -> r.sku().equals(sku)).findFirst().orElseThrow())
                        .toList()));
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
                .chain(productId -> contifico.stockInWarehouse(conn, productId));
        // Contifico first: the storefront figure is read after it, as close as possible to the write.
        return contificoStock.chain(erp -> storefrontItem(ctx, storefront, sku)
                .chain(item -> apply(ctx, storefront, item, erp, options)));
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
                                     BigDecimal erp, SyncOptions options) {
        int target = publishable(erp);
        Integer before = item.stock();
        if (options.dryRun()) {
            return Uni.createFrom().item(new SkuPullResult(item.sku(), SyncAction.DRY_RUN, erp, before, target, null));
        }
        if (before != null && before == target && item.managed()) {
            return cache.recordPull(ctx.storeId(), item.sku(), item, before, erp)
                    .replaceWith(new SkuPullResult(item.sku(), SyncAction.UNCHANGED, erp, before, before, null));
        }
        return storefront.setStock(item, before, target)
                .chain(written -> cache.recordPull(ctx.storeId(), item.sku(), written, written.stock(), erp)
                        .replaceWith(new SkuPullResult(item.sku(), SyncAction.UPDATED, erp, before, written.stock(), null)));
    }

    /** Storefronts cannot sell a negative or a fraction: publish the whole units, at least 0. */
    static int publishable(BigDecimal contificoStock) {
        if (contificoStock == null || contificoStock.signum() <= 0) {
            return 0;
        }
        return contificoStock.setScale(0, RoundingMode.FLOOR).intValueExact();
    }
}
