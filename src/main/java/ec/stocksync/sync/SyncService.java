package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.Backoff;
import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoException;
import ec.stocksync.contifico.ContificoProductResolver;
import ec.stocksync.contifico.SkuNotSynced;
import ec.stocksync.contifico.Warehouse;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.store.StoreLocations;
import ec.stocksync.storefront.StockWrite;
import ec.stocksync.storefront.StockWriteResult;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Pulls: Contifico is the source of truth for stock and the storefront follows it.
 *
 * <p>A run first takes a {@link PullFence} snapshot of its SKUs' movements, then reads the storefront and Contifico (in
 * chunks, reporting progress). Only once every SKU is read and decided does it write, in batches, each batch under its
 * SKUs' push locks and after checking the snapshot still holds. Reading everything before writing anything is what lets
 * the zeroing guard stop a run whose answers would empty the store; the fence is what keeps that delay from publishing
 * a figure older than a sale.
 */
@ApplicationScoped
public class SyncService {

    private static final Logger LOG = Logger.getLogger(SyncService.class);

    /** Below this many SKUs a pull reads the storefront one SKU at a time; above, paging its catalogue is cheaper. */
    static final int CATALOGUE_READ_THRESHOLD = 20;
    /** SKUs per snapshot + read step; also how often a run reports progress and notices a cancel. */
    static final int READ_CHUNK = 40;
    /** SKUs per fenced write (WooCommerce's batch limit). */
    static final int WRITE_BATCH = 100;

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
    PullRuns runs;
    @Inject
    PullFence fence;
    @Inject
    StoreLocations locations;

    /** The run was cancelled through the API: it stops at its next progress step. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled on request", null, false, false);
        }
    }

    /** The run cannot go on (its warehouse is gone, Contifico cannot be reached): it ends FAILED with this reason. */
    static final class RunFailed extends RuntimeException {
        RunFailed(String reason) {
            super(reason, null, false, false);
        }
    }

    // ------------------------------------------------------------------------------------------------- full runs

    /**
     * Executes a full or delta run (the caller holds the store's pull lock) and answers its final status. SKU
     * failures are results, not failures of the run; the run fails only when it cannot go on at all.
     */
    Uni<String> execute(RunState run, Uni<List<StockCache.MappedSku>> selection) {
        ContificoConnection conn = ContificoConnection.of(run.ctx.integration()).background();
        return checkWarehouse(conn)
                .chain(() -> plan(run.ctx, conn))
                .chain(plan -> selection.map(skus -> Map.entry(plan, skus)))
                .chain(planAndSkus -> {
                    LocationPlan plan = planAndSkus.getKey();
                    List<StockCache.MappedSku> skus = planAndSkus.getValue();
                    List<OtherRead> otherReads = new ArrayList<>();
                    run.total(skus.size());
                    List<StockCache.MappedSku> todo = new ArrayList<>();
                    List<SkuPullResult> held = new ArrayList<>();
                    for (StockCache.MappedSku m : skus) {
                        if (m.notSynced()) {
                            held.add(notSynced(m.sku()));
                        } else if (m.recentlyPushed() && !run.options.skipRecentPushCheck()) {
                            held.add(recentPush(m.sku()));
                        } else {
                            todo.add(m);
                        }
                    }
                    run.read(held.size());
                    run.settleAll(held);
                    StorefrontClient storefront = storefronts.forStore(run.ctx.store());
                    Uni<Void> logHeld = run.options.dryRun() ? Uni.createFrom().voidItem()
                            : logs.writeAll(run.storeId(), run.ctx.integrationId(), run.id, run.trigger, held);
                    // The total shows at once, so a progress bar has its scale before the first chunk is read. The
                    // fence's snapshot comes before any read, the storefront's included: a sale the storefront has
                    // already taken when it is read must be one the snapshot knows, or it would be counted twice.
                    return logHeld.chain(() -> progress(run))
                            .chain(() -> fence.snapshot(run.storeId(), todo.stream().map(StockCache.MappedSku::sku).toList()))
                            .chain(snapshots -> currentStorefront(storefront, todo)
                                    .chain(seen -> readAll(run, conn, plan, todo, seen, snapshots, otherReads)))
                            .chain(pending -> otherLocations(run, storefront, plan, otherReads)
                                    .chain(others -> guardAndWrite(run, storefront, pending, others)));
                });
    }

    /**
     * The integration's warehouse must still exist: a warehouse deleted or unlinked in Contifico would otherwise read
     * as "no stock" for every SKU.
     */
    private Uni<Void> checkWarehouse(ContificoConnection conn) {
        return contifico.warehouses(conn)
                .onFailure().transform(e -> new RunFailed("Contifico could not be asked for its warehouses: "
                        + e.getMessage()))
                .invoke(list -> {
                    if (list.stream().map(Warehouse::id).noneMatch(id -> id != null && id.equals(conn.warehouseId()))) {
                        throw new RunFailed("warehouse " + conn.warehouseId() + " no longer exists in Contifico:"
                                + " fix the integration's warehouseId before pulling");
                    }
                })
                .replaceWithVoid();
    }

    /** A SKU read and decided, whose storefront write waits for the guard and the fence. */
    record Pending(StockCache.MappedSku sku, BigDecimal erp, PullFence.Snapshot seen, StockWrite write) {
    }

    private Uni<List<Pending>> readAll(RunState run, ContificoConnection conn, LocationPlan plan,
                                       List<StockCache.MappedSku> todo,
                                       Map<String, Read<StorefrontItem>> storefront, PullFence.Snapshots snapshots,
                                       List<OtherRead> otherReads) {
        List<List<StockCache.MappedSku>> chunks = chunks(todo, READ_CHUNK);
        List<Pending> pending = new ArrayList<>();
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> readChunk(run, conn, plan, chunk, storefront, snapshots, otherReads)
                        .invoke(pending::addAll)
                        .chain(() -> progress(run)))
                .collect().last()
                .replaceWith(pending);
    }

    private Uni<List<Pending>> readChunk(RunState run, ContificoConnection conn, LocationPlan plan,
                                         List<StockCache.MappedSku> chunk,
                                         Map<String, Read<StorefrontItem>> storefront, PullFence.Snapshots seen,
                                         List<OtherRead> otherReads) {
        return readEach(chunk, m -> contificoFigures(conn, plan, m.contificoProductId()))
                        .map(figures -> {
                            Map<String, Read<BigDecimal>> erp = new HashMap<>();
                            figures.forEach((sku, f) -> erp.put(sku, f.failure() != null ? Read.failed(f.failure())
                                    : new Read<>(f.value().own(), null)));
                            List<Pending> pending = new ArrayList<>();
                            List<SkuPullResult> settled = new ArrayList<>();
                            for (StockCache.MappedSku m : chunk) {
                                Read<BigDecimal> figure = erp.get(m.sku());
                                Read<StorefrontItem> item = storefront.getOrDefault(m.sku(), Read.failed(
                                        new IllegalStateException("the SKU is no longer in the storefront's catalogue;"
                                                + " run a catalogue import")));
                                if (figure.failure() != null) {
                                    settled.add(SkuPullResult.error(m.sku(), "Contifico: " + message(figure.failure())));
                                } else if (item.failure() != null) {
                                    settled.add(new SkuPullResult(m.sku(), SyncAction.ERROR, figure.value(), null, null,
                                            "storefront: " + message(item.failure())));
                                } else {
                                    // Dry runs too: what they would write goes through the zeroing guard.
                                    Decision d = decide(item.value(), figure.value(),
                                            seen.get(m.sku()).openDeltaOwn(StoreLocations.ownLocation(run.ctx.store())),
                                            false, syncUnmanaged(run.ctx));
                                    if (d.write() == null) {
                                        settled.add(d.result());
                                    } else {
                                        pending.add(new Pending(m, figure.value(), seen.get(m.sku()), d.write()));
                                    }
                                    if (!plan.others().isEmpty()) {
                                        otherReads.add(new OtherRead(m, item.value(), seen.get(m.sku()),
                                                figures.get(m.sku()).value().others()));
                                    }
                                }
                            }
                            run.read(chunk.size());
                            run.settleAll(settled);
                            return new ChunkOutcome(pending, settled);
                        })
                // Unlocked: a post-push pull that recorded a newer figure since the snapshot keeps it.
                .call(outcome -> run.options.dryRun() ? Uni.createFrom().voidItem()
                        : cache.recordPulls(run.storeId(), outcome.settled(), run.trigger, seen.takenAt())
                                .chain(() -> logs.writeAll(run.storeId(), run.ctx.integrationId(), run.id, run.trigger,
                                        outcome.settled().stream().filter(r -> r.action().logged()).toList())))
                .map(ChunkOutcome::pending);
    }

    private record ChunkOutcome(List<Pending> pending, List<SkuPullResult> settled) {
    }

    /**
     * The zeroing guard, then the writes. A dry run reports what a real run would write (and warns when a real run
     * would be blocked); a blocked run writes nothing at all.
     */
    private Uni<String> guardAndWrite(RunState run, StorefrontClient storefront, List<Pending> pending,
                                      List<OtherWrite> others) {
        Set<String> zeroingSet = new LinkedHashSet<>();
        for (Pending p : pending) {
            Integer before = p.write().expectedCurrent();
            if (before != null && before > 0 && p.write().newQuantity() == 0) {
                zeroingSet.add(p.sku().sku());
            }
        }
        // A location emptied by a bad answer is as bad as the store's own: its writes count too (once per SKU).
        for (OtherWrite o : others) {
            Integer before = o.pending().write().expectedCurrent();
            if (before != null && before > 0 && o.pending().write().newQuantity() == 0) {
                zeroingSet.add(o.pending().sku().sku());
            }
        }
        List<String> zeroing = new ArrayList<>(zeroingSet);
        int base = run.guardBaseOrTotal();
        boolean tooMany = zeroing.size() >= config.minZeroing() && zeroing.size() > config.maxZeroingRatio() * base;
        if (tooMany) {
            run.zeroing(zeroing);
            String why = zeroing.size() + " of " + base + " SKUs would drop from above 0 to 0 (more than "
                    + Math.round(config.maxZeroingRatio() * 100) + "%): a sign of a wrong warehouse or a bad answer"
                    + " from Contifico rather than real sell-outs";
            if (!run.options.force() && !run.options.dryRun()) {
                run.reason(why + "; nothing was written. Check Contifico, then repeat the pull with force: true");
                LOG.warnf("pull run %d of store %d BLOCKED: %s", run.id, run.storeId(), run.reason());
                return Uni.createFrom().item("BLOCKED");
            }
            if (run.options.dryRun()) {
                run.reason("a real pull would be blocked: " + why);
            }
        }
        if (run.options.dryRun()) {
            for (Pending p : pending) {
                run.settle(new SkuPullResult(p.sku().sku(), SyncAction.DRY_RUN, p.erp(), p.write().expectedCurrent(),
                        p.write().newQuantity(), null));
            }
            for (OtherWrite o : others) {
                Pending p = o.pending();
                run.atLocation(o.location(), new SkuPullResult(p.sku().sku(), SyncAction.DRY_RUN, p.erp(),
                        p.write().expectedCurrent(), p.write().newQuantity(), null));
            }
            return Uni.createFrom().item("DONE");
        }
        return Multi.createFrom().iterable(chunks(pending, WRITE_BATCH))
                .onItem().transformToUniAndConcatenate(batch -> writeBatch(run, storefront, batch)
                        .chain(() -> progress(run)))
                .collect().last()
                .chain(() -> writeOthers(run, others))
                .replaceWith("DONE");
    }

    // ------------------------------------------------------------------------------- other mapped locations (14 D)

    /**
     * The run's location plan: the warehouses the store's own location sums (the integration's when unmapped), and
     * the store's other mapped locations, each published the sum of its own warehouses.
     */
    record LocationPlan(List<String> own, List<StoreLocations.Location> others) {
    }

    /** One product's Contifico figures: the own location's, and each other mapped location's by id. */
    record Figures(BigDecimal own, Map<String, BigDecimal> others) {
    }

    /** A SKU read at the own location, whose other locations are read and decided next. */
    record OtherRead(StockCache.MappedSku sku, StorefrontItem item, PullFence.Snapshot seen,
                     Map<String, BigDecimal> erp) {
    }

    /** A write to make at another location, after the guard. */
    record OtherWrite(String location, StorefrontClient client, Pending pending) {
    }

    private Uni<LocationPlan> plan(StoreContext ctx, ContificoConnection conn) {
        String ownLocation = StoreLocations.ownLocation(ctx.store());
        return locations.ownWarehouses(ctx.store(), conn.warehouseId())
                .chain(own -> locations.list(ctx.storeId()).map(map -> new LocationPlan(own, map.stream()
                        .filter(l -> !l.locationId().equals(ownLocation)).toList())));
    }

    /**
     * Every figure of the product from one {@code /stock/} read. Any mapped warehouse missing from the answer fails
     * the SKU, so nothing is written for it at any location.
     */
    private Uni<Figures> contificoFigures(ContificoConnection conn, LocationPlan plan, String productId) {
        if (plan.others().isEmpty()) {
            return contificoFigure(conn, plan.own(), productId).map(own -> new Figures(own, Map.of()));
        }
        return contifico.stockByWarehouse(conn, productId).map(list -> {
            Map<String, BigDecimal> others = new LinkedHashMap<>();
            for (StoreLocations.Location l : plan.others()) {
                others.put(l.locationId(), ContificoClient.sumOf(list, l.warehouseIds(), productId));
            }
            return new Figures(ContificoClient.sumOf(list, plan.own(), productId), others);
        });
    }

    /**
     * Reads each other mapped location's stock of the SKUs read at the own location, and decides each one. Items not
     * stocked at a location are left alone (stocking one is the merchant's choice). Dry runs read and decide them too
     * (reads only): a preview must show, and put through the zeroing guard, what a real run would write everywhere.
     */
    private Uni<List<OtherWrite>> otherLocations(RunState run, StorefrontClient storefront, LocationPlan plan,
                                                 List<OtherRead> reads) {
        if (plan.others().isEmpty() || reads.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, OtherRead> bySku = new HashMap<>();
        reads.forEach(r -> bySku.put(r.sku().sku(), r));
        List<StockCache.MappedSku> skus = reads.stream().map(OtherRead::sku).toList();
        List<OtherWrite> writes = new ArrayList<>();
        return Multi.createFrom().iterable(plan.others())
                .onItem().transformToUniAndConcatenate(l -> {
                    StorefrontClient at = storefront.atLocation(l.locationId());
                    // Like the own location: per SKU for a few, the location's catalogue pages for many.
                    return currentStorefront(at, skus).invoke(items -> {
                        for (StockCache.MappedSku m : skus) {
                            OtherRead r = bySku.get(m.sku());
                            Read<StorefrontItem> item = items.getOrDefault(m.sku(), Read.failed(
                                    new IllegalStateException("the SKU is not in the storefront's catalogue")));
                            BigDecimal erp = r.erp().get(l.locationId());
                            if (item.failure() != null) {
                                run.atLocation(l.locationId(), new SkuPullResult(m.sku(), SyncAction.ERROR, erp, null,
                                        null, "storefront: " + message(item.failure())));
                            } else if (item.value().stock() != null) {
                                Decision d = decide(item.value(), erp, r.seen().openDeltaAt(l.locationId()), false,
                                        syncUnmanaged(run.ctx));
                                if (d.write() != null) {
                                    writes.add(new OtherWrite(l.locationId(), at,
                                            new Pending(m, erp, r.seen(), d.write())));
                                }
                            }
                        }
                    });
                })
                .collect().last()
                .replaceWith(writes);
    }

    /** Each location's writes in fenced batches, like the own location's; no cache or log row (those are per SKU). */
    private Uni<Void> writeOthers(RunState run, List<OtherWrite> others) {
        if (others.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, List<OtherWrite>> byLocation = new LinkedHashMap<>();
        others.forEach(o -> byLocation.computeIfAbsent(o.location(), k -> new ArrayList<>()).add(o));
        List<List<OtherWrite>> batches = new ArrayList<>();
        byLocation.values().forEach(list -> batches.addAll(chunks(list, WRITE_BATCH)));
        return Multi.createFrom().iterable(batches)
                .onItem().transformToUniAndConcatenate(batch -> {
                    String location = batch.get(0).location();
                    Map<String, PullFence.Snapshot> seen = new LinkedHashMap<>();
                    batch.forEach(o -> seen.put(o.pending().sku().sku(), o.pending().seen()));
                    return fence.underFence(run.storeId(), seen, true, clear -> {
                        List<OtherWrite> go = batch.stream().filter(o -> clear.contains(o.pending().sku().sku())).toList();
                        batch.stream().filter(o -> !clear.contains(o.pending().sku().sku())).forEach(o -> run.atLocation(
                                location, newerMovement(o.pending().sku().sku(), o.pending().erp(),
                                        o.pending().write().expectedCurrent())));
                        return go.isEmpty() ? Uni.createFrom().voidItem()
                                : batch.get(0).client().setStocks(go.stream().map(o -> o.pending().write()).toList())
                                .invoke(answers -> {
                                    for (int i = 0; i < answers.size(); i++) {
                                        run.atLocation(location, outcome(go.get(i).pending().erp(), answers.get(i)));
                                    }
                                })
                                .replaceWithVoid();
                    });
                })
                .collect().last()
                .replaceWithVoid();
    }

    private Uni<Void> writeBatch(RunState run, StorefrontClient storefront, List<Pending> batch) {
        Map<String, PullFence.Snapshot> seen = new LinkedHashMap<>();
        batch.forEach(p -> seen.put(p.sku().sku(), p.seen()));
        // The cache and the log are written before the locks go: a sale's post-push pull right after must come last.
        return fence.underFence(run.storeId(), seen, true, clear -> {
                    List<SkuPullResult> results = new ArrayList<>();
                    List<Pending> go = new ArrayList<>();
                    for (Pending p : batch) {
                        if (clear.contains(p.sku().sku())) {
                            go.add(p);
                        } else {
                            results.add(newerMovement(p.sku().sku(), p.erp(), p.write().expectedCurrent()));
                        }
                    }
                    Uni<List<SkuPullResult>> written = go.isEmpty() ? Uni.createFrom().item(results)
                            : storefront.setStocks(go.stream().map(Pending::write).toList()).map(answers -> {
                                for (int i = 0; i < answers.size(); i++) {
                                    results.add(outcome(go.get(i).erp(), answers.get(i)));
                                }
                                return results;
                            });
                    return written
                            .call(rs -> cache.recordPulls(run.storeId(), rs, run.trigger, null))
                            .call(rs -> logs.writeAll(run.storeId(), run.ctx.integrationId(), run.id, run.trigger,
                                    rs.stream().filter(r -> r.action().logged()).toList()));
                })
                .invoke(run::settleAll)
                .replaceWithVoid();
    }

    private static SkuPullResult outcome(BigDecimal erp, StockWriteResult w) {
        String sku = w.write().item().sku();
        return w.ok()
                ? new SkuPullResult(sku, SyncAction.UPDATED, erp, w.write().expectedCurrent(), w.written(), null)
                : new SkuPullResult(sku, SyncAction.ERROR, erp, w.write().expectedCurrent(), null,
                "storefront: " + w.error().getMessage());
    }

    /** Records progress and stops the run when someone asked to cancel it. */
    private Uni<Void> progress(RunState run) {
        return runs.progress(run.id, run.counts()).invoke(cancel -> {
            if (cancel == null) {
                throw new RunFailed("the run lost its pull lock (its database session ended) and was marked"
                        + " INTERRUPTED; it stopped");
            }
            if (cancel) {
                throw new Cancelled();
            }
        }).replaceWithVoid();
    }

    // ---------------------------------------------------------------------------------------------------- per SKU

    /**
     * Pulls the given SKUs now, each fenced like a full pull's writes. Takes no pull lock: it may run beside pushes and
     * full pulls. Everything is read before anything is written, so the zeroing guard applies here too: 409
     * {@code pull_blocked} (nothing written) unless {@code force}.
     */
    public Uni<List<SkuPullResult>> pullFromIntegrationSelective(long storeId, Long integrationId, List<String> skus,
                                                                 SyncOptions options, SyncTrigger trigger) {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(skus));
        List<String> chosen = options.limit() == null ? distinct
                : distinct.subList(0, Math.min(options.limit(), distinct.size()));
        int concurrency = Math.max(1, config.concurrency());
        return contexts.load(storeId, integrationId).chain(ctx -> Multi.createFrom().iterable(chosen)
                .onItem().transformToUni(sku -> prepare(ctx, sku, options, trigger)).merge(concurrency)
                .collect().asList()
                .invoke(prepared -> guardSelective(prepared, chosen.size(), options))
                .chain(prepared -> Multi.createFrom().iterable(prepared)
                        .onItem().transformToUni(p -> commit(ctx, p, options, trigger, null, null)
                                .onFailure().recoverWithItem(e -> {
                                    LOG.warnf("pull store=%d sku=%s failed: %s", ctx.storeId(), p.sku(), message(e));
                                    return SkuPullResult.error(p.sku(), message(e));
                                }))
                        .merge(concurrency)
                        // merge() finishes in completion order; answer in the order asked.
                        .collect().asMap(SkuPullResult::sku)
                        .map(results -> chosen.stream().map(results::get).toList())));
    }

    private void guardSelective(List<Prepared> prepared, int asked, SyncOptions options) {
        List<String> zeroing = prepared.stream().filter(p -> p.write() != null && p.write().expectedCurrent() != null
                        && p.write().expectedCurrent() > 0 && p.write().newQuantity() == 0)
                .map(Prepared::sku).sorted().toList();
        if (!options.force() && !options.dryRun() && zeroing.size() >= config.minZeroing()
                && zeroing.size() > config.maxZeroingRatio() * asked) {
            throw ApiException.conflict("pull_blocked", zeroing.size() + " of " + asked + " SKUs would drop from above"
                    + " 0 to 0, a sign of a wrong warehouse or a bad answer from Contifico; nothing was written. Check"
                    + " Contifico, then repeat with \"force\": true. SKUs: "
                    + String.join(", ", zeroing.subList(0, Math.min(50, zeroing.size()))));
        }
    }

    /**
     * The post-push pull (DESIGN flow steps 4-5): the caller holds the SKU's push lock. A failure is retried later,
     * durably, by {@link PostPushPullRetrier}; the push itself stays done.
     */
    public Uni<SkuPullResult> pullAfterPush(StoreContext ctx, String sku, Long movementId, int attempt) {
        return pullSku(ctx, sku, SyncOptions.AFTER_PUSH, SyncTrigger.SALE, movementId, null)
                .call(r -> {
                    if (r.action() != SyncAction.ERROR) {
                        return Uni.createFrom().voidItem();
                    }
                    if (attempt >= config.postPushRetry().maxAttempts()) {
                        LOG.warnf("post-push pull of store=%d sku=%s failed %d time(s), giving up: the next delta"
                                + " pull reads it (%s)", ctx.storeId(), sku, attempt, r.error());
                        return cache.giveUpPullRetry(ctx.storeId(), sku);
                    }
                    // No jitter: the first retry must not come before the breaker's delay has passed. Attempts are
                    // few, so the cap only keeps a misconfigured count from overflowing the wait.
                    java.time.Duration initial = config.postPushRetry().initialDelay();
                    java.time.Duration wait = new Backoff(initial, initial.multipliedBy(1024)).exponential(attempt - 1);
                    return cache.schedulePullRetry(ctx.storeId(), sku, attempt, wait);
                })
                .onFailure().invoke(e -> LOG.errorf(e, "could not schedule the retry of the post-push pull of store=%d"
                        + " sku=%s", ctx.storeId(), sku))
                .onFailure().recoverWithItem(e -> SkuPullResult.error(sku, message(e)));
    }

    /**
     * One SKU: read Contifico's stock in the integration's warehouse, set the storefront to it when it differs (never
     * below 0: Contifico's real figure stays in sync_logs), update the cache, write sync_logs. Never fails: an error
     * becomes an ERROR row and result, so one SKU cannot stop the others.
     */
    public Uni<SkuPullResult> pullSku(StoreContext ctx, String sku, SyncOptions options, SyncTrigger trigger,
                                      Long movementId, Long pullRunId) {
        Timer.Sample sample = Timer.start(registry);
        return prepare(ctx, sku, options, trigger)
                .chain(p -> commit(ctx, p, options, trigger, movementId, pullRunId))
                // Never fails: a post-push pull must be able to schedule its retry, a selective pull must answer.
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("pull store=%d sku=%s failed: %s", ctx.storeId(), sku, message(e));
                    return SkuPullResult.error(sku, message(e));
                })
                .invoke(r -> sample.stop(registry.timer("stocksync.pull.latency", "trigger", trigger.name(),
                        "action", r.action().name())));
    }

    /**
     * One SKU read and decided, not yet written: a final {@code result}, or a {@code write} to make.
     *
     * @param since when the fence's snapshot was taken (null on the post-push path, which holds the push lock)
     */
    record Prepared(String sku, SkuPullResult result, StorefrontItem item, BigDecimal erp, PullFence.Snapshot seen,
                    java.time.OffsetDateTime since, StockWrite write) {
        static Prepared done(SkuPullResult r) {
            return new Prepared(r.sku(), r, null, null, null, null, null);
        }
    }

    /**
     * Reads one SKU. The post-push pull holds the push lock and reads after its own push, so only other pulls need the
     * fence: they snapshot the SKU's movements before reading anything and write only if nothing moved since.
     */
    private Uni<Prepared> prepare(StoreContext ctx, String sku, SyncOptions options, SyncTrigger trigger) {
        Uni<Boolean> recent = options.skipRecentPushCheck() ? Uni.createFrom().item(false)
                : cache.pushedWithin(ctx.storeId(), sku, config.recentPushWindow());
        return recent.chain(r -> r ? Uni.createFrom().item(Prepared.done(recentPush(sku))) : read(ctx, sku, options, trigger))
                .onFailure(SkuNotSynced.class).recoverWithItem(() -> Prepared.done(notSynced(sku)))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("pull store=%d sku=%s failed: %s", ctx.storeId(), sku, message(e));
                    return Prepared.done(SkuPullResult.error(sku, message(e)));
                });
    }

    private Uni<Prepared> read(StoreContext ctx, String sku, SyncOptions options, SyncTrigger trigger) {
        ContificoConnection conn = ContificoConnection.of(ctx.integration());
        StorefrontClient storefront = storefronts.forStore(ctx.store());
        boolean fenced = trigger != SyncTrigger.SALE;
        return fence.snapshot(ctx.storeId(), List.of(sku)).chain(snapshots -> {
            PullFence.Snapshot seen = snapshots.get(sku);
            java.time.OffsetDateTime since = fenced ? snapshots.takenAt() : null;
            Uni<BigDecimal> contificoStock = locations.ownWarehouses(ctx.store(), conn.warehouseId())
                    .chain(own -> products.productId(ctx.storeId(), conn, sku)
                            .chain(productId -> contificoFigure(conn, own, productId)))
                    // A cached id Contifico no longer knows: forget it, so the next pull searches the SKU again.
                    .onFailure(e -> e instanceof ContificoException.NotFound nf && nf.sku() == null)
                    .call(() -> products.forget(ctx.storeId(), sku));
            return contificoStock.chain(erp -> storefrontItem(ctx, storefront, sku).map(item -> {
                Decision d = decide(item, erp, seen.openDeltaOwn(StoreLocations.ownLocation(ctx.store())), options.dryRun(),
                        syncUnmanaged(ctx));
                return new Prepared(sku, d.result(), item, erp, seen, since, d.write());
            }));
        });
    }

    /** Writes what {@link #prepare} decided: under the fence unless on the post-push path; then the cache and the log. */
    private Uni<SkuPullResult> commit(StoreContext ctx, Prepared p, SyncOptions options, SyncTrigger trigger,
                                      Long movementId, Long pullRunId) {
        if (p.write() == null) {
            SkuPullResult r = p.result();
            Uni<Void> record = options.dryRun() || p.item() == null ? Uni.createFrom().voidItem()
                    : cache.recordPull(ctx.storeId(), p.sku(), p.item(), p.item().stock(), p.erp(), trigger, p.since());
            return record.chain(() -> log(ctx, r, options, trigger, movementId, pullRunId));
        }
        StorefrontClient storefront = storefronts.forStore(ctx.store());
        Uni<SkuPullResult> write = storefront.setStock(p.item(), p.item().stock(), p.write().newQuantity())
                .chain(written -> cache.recordPull(ctx.storeId(), p.sku(), written, written.stock(), p.erp(), trigger, null)
                        // The storefront was written: a cache that did not follow is logged, not reported as a failed write.
                        .onFailure().invoke(e -> LOG.errorf(e, "stock cache not updated after a pull of store=%d sku=%s",
                                ctx.storeId(), p.sku()))
                        .onFailure().recoverWithNull()
                        .replaceWith(new SkuPullResult(p.sku(), SyncAction.UPDATED, p.erp(), p.item().stock(),
                                written.stock(), null)))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("pull store=%d sku=%s failed: %s", ctx.storeId(), p.sku(), message(e));
                    return new SkuPullResult(p.sku(), SyncAction.ERROR, p.erp(), p.item().stock(), null,
                            "storefront: " + message(e));
                })
                // Logged before the push lock goes, like the cache, so a later sale's post-push pull comes last.
                .chain(r -> log(ctx, r, options, trigger, movementId, pullRunId));
        if (p.since() == null) {
            return write;
        }
        return fence.underFence(ctx.storeId(), Map.of(p.sku(), p.seen()), false, clear -> clear.contains(p.sku()) ? write
                : log(ctx, newerMovement(p.sku(), p.erp(), p.item().stock()), options, trigger, movementId, pullRunId));
    }

    private Uni<SkuPullResult> log(StoreContext ctx, SkuPullResult r, SyncOptions options, SyncTrigger trigger,
                                   Long movementId, Long pullRunId) {
        if (options.dryRun()) {
            return Uni.createFrom().item(r);
        }
        return logs.write(ctx.storeId(), ctx.integrationId(), pullRunId, movementId, trigger, r)
                .onFailure().invoke(e -> LOG.errorf(e, "could not write sync_logs for store=%d sku=%s", ctx.storeId(),
                        r.sku()))
                .onFailure().recoverWithNull()
                .replaceWith(r);
    }

    /**
     * Contifico's figure for the store's own location: the integration's warehouse, or the sum of the warehouses the
     * location map gives it (issue 14 D); a warehouse missing from the answer fails the SKU, never reads as 0.
     */
    private Uni<BigDecimal> contificoFigure(ContificoConnection conn, List<String> own, String productId) {
        return own.size() == 1 && own.get(0).equals(conn.warehouseId()) ? contifico.stockInWarehouse(conn, productId)
                : contifico.stockInWarehouses(conn, productId, own);
    }

    /** Reads by the remembered ids when we have them; searches by SKU the first time, or when the ids went stale. */
    private Uni<StorefrontItem> storefrontItem(StoreContext ctx, StorefrontClient storefront, String sku) {
        return cache.cachedItem(ctx.storeId(), sku).chain(cached -> cached == null
                ? storefront.findBySku(sku)
                : storefront.readStock(cached)
                        .onFailure(e -> e instanceof StorefrontException se && se.kind() == StorefrontException.Kind.NOT_FOUND)
                        .recoverWithUni(() -> storefront.findBySku(sku)));
    }

    // ---------------------------------------------------------------------------------------------------- shared

    /** A value read for one SKU, or why it could not be read: one SKU's failure must not fail the whole pull. */
    record Read<T>(T value, Throwable failure) {
        static <T> Read<T> failed(Throwable failure) {
            return new Read<>(null, failure);
        }
    }

    /** What a pull does for one SKU, given both figures: a final result, or a storefront write to make. */
    record Decision(SkuPullResult result, StockWrite write) {
    }

    static Decision decide(StorefrontItem item, BigDecimal erp, int openDelta, boolean dryRun, boolean syncUnmanaged) {
        int target = publishable(erp.add(BigDecimal.valueOf(openDelta)));
        if (!item.managed() && !syncUnmanaged) {
            return new Decision(new SkuPullResult(item.sku(), SyncAction.SKIPPED_UNMANAGED, erp, item.stock(), null,
                    "the storefront does not manage this item's stock; the store's syncUnmanagedStock setting lets"
                            + " pulls turn it on"), null);
        }
        boolean differs = item.stock() == null || item.stock() != target || !item.managed();
        if (!differs) {
            return new Decision(new SkuPullResult(item.sku(), SyncAction.UNCHANGED, erp, item.stock(), item.stock(), null),
                    null);
        }
        if (dryRun) {
            return new Decision(new SkuPullResult(item.sku(), SyncAction.DRY_RUN, erp, item.stock(), target, null), null);
        }
        return new Decision(null, new StockWrite(item, item.stock(), target));
    }

    private static boolean syncUnmanaged(StoreContext ctx) {
        return ctx.store().syncUnmanagedStock;
    }

    private SkuPullResult recentPush(String sku) {
        return new SkuPullResult(sku, SyncAction.SKIPPED_RECENT_PUSH, null, null, null,
                "pushed within the last " + config.recentPushWindow().toMinutes() + " min: its post-push pull owns it");
    }

    private static SkuPullResult notSynced(String sku) {
        return new SkuPullResult(sku, SyncAction.SKIPPED_NOT_SYNCED, null, null, null,
                "marked not synced by an operator: nothing is read from Contifico nor written to the storefront");
    }

    private static SkuPullResult newerMovement(String sku, BigDecimal erp, Integer storeStock) {
        return new SkuPullResult(sku, SyncAction.SKIPPED_NEWER_MOVEMENT, erp, storeStock, null,
                "a movement of this SKU arrived or was pushed while the pull ran: its own post-push pull publishes"
                        + " the figure");
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
        if (todo.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
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

    private static <T> List<List<T>> chunks(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }

    static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Storefronts cannot sell a negative or a fraction: publish the whole units, at least 0. Callers pass Contifico's
     * figure plus the sales not yet booked there ({@link PullFence.Snapshot#openDelta()}).
     */
    static int publishable(BigDecimal contificoStock) {
        if (contificoStock == null || contificoStock.signum() <= 0) {
            return 0;
        }
        BigDecimal whole = contificoStock.setScale(0, RoundingMode.FLOOR);
        return whole.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0 ? Integer.MAX_VALUE : whole.intValueExact();
    }
}
