package ec.stocksync.sync;

import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoProduct;
import ec.stocksync.contifico.Movement;
import ec.stocksync.contifico.MovementLine;
import ec.stocksync.contifico.MovementType;
import ec.stocksync.contifico.NewMovement;
import ec.stocksync.contifico.SalesDocument;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.store.StoreLocations;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Contifico's change signals (DESIGN rule 10; contifico-api.md, "Change signals"): which products changed since the
 * store's baseline, so a delta pull reads those and not the whole catalogue. No single signal is enough, so they are
 * unioned: the catalogue's {@code cantidad_stock} (sum over warehouses: misses transfers), inventory movements of the
 * warehouse and transfers into it, and sales documents of the warehouse, dated from the watermark minus an overlap
 * (Contifico dates are days). Events already acted on are remembered so the overlap does not flag them twice.
 *
 * <p>Signals are read at the start of a run, before any SKU: a change during the run shows in the next one. A full
 * sweep reads them too, to leave the baseline the next delta pull starts from.
 */
@ApplicationScoped
public class DeltaSignals {

    private static final Logger LOG = Logger.getLogger(DeltaSignals.class);
    /** Documents per page asked of Contifico (a v1 list: a short page is the last). */
    static final int DOCUMENT_PAGE_SIZE = 100;
    /** Remembered events older than this can no longer come back through the overlap window. */
    static final int SEEN_EVENTS_KEPT_DAYS = 14;
    /** A baseline older than this reads every SKU instead: the signal lists would span too many days. */
    static final int MAX_LOOKBACK_DAYS = 7;
    static final int MAX_CATALOGUE_PAGES = 2_000;

    @Inject
    ContificoClient contifico;
    @Inject
    Pool pool;
    @Inject
    StockCache cache;
    @Inject
    SyncConfig config;
    @Inject
    StoreLocations locations;

    /**
     * The next delta pull of the store reads every SKU (its location map changed). Runs on {@code conn}, so the
     * caller can make it part of the transaction that changes the map.
     */
    Uni<Void> forgetBaseline(io.vertx.mutiny.sqlclient.SqlClient conn, long storeId) {
        return conn.preparedQuery("DELETE FROM pull_baselines WHERE store_id = $1").execute(Tuple.of(storeId))
                .replaceWithVoid();
    }

    /**
     * What the signals said at the start of a run.
     *
     * @param totals      every catalogue product's {@code cantidad_stock} (null when unreadable), by product id
     * @param events      movements and documents newly seen ({@code MOVEMENT:id} / {@code DOCUMENT:id}) with their products
     * @param flagged     product ids the signals flag
     */
    public record Observed(LocalDate day, Map<String, BigDecimal> totals, Map<String, Set<String>> events, Set<String> flagged,
                           PullDetails.Signals counts, int mappedSkus, Map<String, BigDecimal> seenBefore,
                           java.time.OffsetDateTime integrationVersion) {
    }

    /** A usable baseline (null watermark: none), and the integration's version the run started with. */
    private record Baseline(LocalDate watermark, java.time.OffsetDateTime integrationVersion) {
        boolean usable() {
            return watermark != null;
        }
    }

    /** The SKUs a delta run reads: those the signals flag, or every mapped SKU when the store has no baseline yet. */
    Uni<List<StockCache.MappedSku>> changedSkus(RunState run) {
        return baseline(run).chain(baseline -> observe(run, baseline).chain(observed -> {
            boolean none = !baseline.usable();
            run.observed(observed);
            run.signals(observed.counts());
            run.guardBase(observed.mappedSkus());
            if (none) {
                run.reason("no usable baseline (none yet, over a week old, or the integration changed): every mapped"
                        + " SKU was read, and the next delta pull starts from this one");
                return cache.mapped(run.storeId(), null, config.recentPushWindow());
            }
            return cache.mappedByProduct(run.storeId(), observed.flagged(), config.recentPushWindow());
        }));
    }

    /** A full sweep reads the signals first, so that its end can record the baseline they describe. */
    Uni<Void> observeForSweep(RunState run) {
        return baseline(run).chain(baseline -> observe(run, baseline)).invoke(o -> run.observed(o)).replaceWithVoid()
                // The sweep is the backstop: a signal Contifico cannot serve must not stop it, only its baseline.
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("store %d: %s; the sweep goes on without recording a delta baseline", run.storeId(),
                            e.getMessage());
                    run.reason(e.getMessage() + "; the sweep ran, but left no baseline for delta pulls");
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * After a run that ended DONE: the catalogue figures and events it acted on become the baseline. SKUs it did not
     * settle (failed, held back for a recent push or a newer movement) keep their old figure and their events stay
     * unseen, so the next delta pull flags them again.
     */
    Uni<Void> recordBaseline(RunState run) {
        Observed o = run.observed();
        if (o == null || run.options.dryRun()) {
            return Uni.createFrom().voidItem();
        }
        String[] unsettled = run.unsettledSkus().toArray(new String[0]);
        return cache.productIdsOf(run.storeId(), unsettled).chain(keep -> record(run, o, unsettled, keep));
    }

    /** Figures and events become the baseline, except those of products whose SKU the run did not settle. */
    private Uni<Void> record(RunState run, Observed o, String[] unsettledSkus, Set<String> unsettledProducts) {
        List<String> ids = new ArrayList<>(o.totals().keySet());
        BigDecimal[] totals = ids.stream().map(o.totals()::get).toArray(BigDecimal[]::new);
        BigDecimal[] before = ids.stream().map(o.seenBefore()::get).toArray(BigDecimal[]::new);
        List<String> kinds = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        o.events().forEach((key, products) -> {
            if (products.stream().noneMatch(unsettledProducts::contains)) {
                int colon = key.indexOf(':');
                kinds.add(key.substring(0, colon));
                eventIds.add(key.substring(colon + 1));
            }
        });
        return pool.withTransaction(tx -> cache.recordSeenTotals(tx, run.storeId(), ids.toArray(new String[0]), totals,
                                before, unsettledSkus)
                        .chain(() -> tx.preparedQuery("""
                                        INSERT INTO contifico_seen_events (store_id, kind, event_id)
                                        SELECT $1, k, e FROM unnest($2::text[], $3::text[]) AS x(k, e)
                                        ON CONFLICT DO NOTHING""")
                                .execute(Tuple.of(run.storeId(), kinds.toArray(new String[0]),
                                        eventIds.toArray(new String[0]))))
                        .chain(() -> tx.preparedQuery("""
                                        DELETE FROM contifico_seen_events
                                        WHERE store_id = $1 AND seen_at < now() - make_interval(days => $2)""")
                                .execute(Tuple.of(run.storeId(), SEEN_EVENTS_KEPT_DAYS)))
                        // Only if the integration is still the one the run read: a warehouse, URL or key changed
                        // meanwhile deleted the baseline, and this run's figures describe the old one.
                        .chain(() -> tx.preparedQuery("""
                                        INSERT INTO pull_baselines (store_id, integration_id, watermark)
                                        SELECT $1, $2, $3 WHERE %s
                                        ON CONFLICT (store_id) DO UPDATE
                                        SET integration_id = EXCLUDED.integration_id, watermark = EXCLUDED.watermark,
                                            recorded_at = now()""".formatted(StoreContexts.integrationUnchanged("$2", "$4")))
                                .execute(Tuple.of(run.storeId(), run.ctx.integrationId(), o.day(), o.integrationVersion()))))
                .replaceWithVoid();
    }

    /**
     * The store's baseline, when it was recorded against the integration in use (another warehouse starts over) and
     * not over a week ago (after a long run of failed or blocked pulls, reading everything is cheaper and surer).
     */
    private Uni<Baseline> baseline(RunState run) {
        return pool.preparedQuery("""
                        SELECT (SELECT watermark FROM pull_baselines
                                WHERE store_id = $1 AND integration_id = $2 AND watermark >= $3) AS watermark,
                               %s AS version""".formatted(StoreContexts.integrationVersion("$2")))
                .execute(Tuple.of(run.storeId(), run.ctx.integrationId(), NewMovement.today().minusDays(MAX_LOOKBACK_DAYS)))
                .map(rows -> {
                    var r = rows.iterator().next();
                    return new Baseline(r.getLocalDate("watermark"), r.getOffsetDateTime("version"));
                });
    }

    private Uni<Observed> observe(RunState run, Baseline baseline) {
        ContificoConnection conn = ContificoConnection.of(run.ctx.integration()).background();
        LocalDate today = NewMovement.today();
        LocalDate from = (baseline.usable() ? baseline.watermark() : today).minusDays(Math.max(0, config.deltaOverlapDays()));
        String ownReference = "[ss-" + run.storeId() + "-";
        // Every warehouse whose stock the pulls publish: the integration's, or those the location map sums (issue 14 D).
        return locations.publishedWarehouses(run.ctx.store(), conn.warehouseId())
                .chain(watched -> observe(run, baseline, conn, today, from, ownReference, watched));
    }

    private Uni<Observed> observe(RunState run, Baseline baseline, ContificoConnection conn, LocalDate today,
                                  LocalDate from, String ownReference, List<String> watched) {
        Uni<Map<String, BigDecimal>> catalogue = catalogue(conn);
        Uni<List<Movement>> inWarehouse = eachWarehouse(watched,
                w -> contifico.movementsBetween(conn.withWarehouse(w), from, today, null, true));
        // A transfer is listed under the warehouse it leaves: those arriving here are found among all transfers.
        Uni<List<Movement>> transfersIn = contifico.movementsBetween(conn, from, today, MovementType.TRA, false)
                .map(list -> list.stream().filter(m -> watched.contains(m.bodegaDestinoId())).toList());
        Uni<List<SalesDocument>> documents = eachWarehouse(watched,
                w -> contifico.documentsBetween(conn.withWarehouse(w), from, today, DOCUMENT_PAGE_SIZE));
        return Uni.combine().all().unis(catalogue, inWarehouse, transfersIn, documents, seenEvents(run.storeId()))
                .asTuple()
                .chain(t -> cache.totalsSeen(run.storeId()).map(seen -> {
                    Map<String, BigDecimal> totals = t.getItem1();
                    Set<String> known = t.getItem5();
                    Set<String> flagged = new HashSet<>();
                    int byCatalogue = 0;
                    for (Map.Entry<String, BigDecimal> e : totals.entrySet()) {
                        BigDecimal before = seen.get(e.getKey());
                        boolean mapped = seen.containsKey(e.getKey());
                        if (mapped && (e.getValue() == null || before == null || before.compareTo(e.getValue()) != 0)) {
                            flagged.add(e.getKey());
                            byCatalogue++;
                        }
                    }
                    Map<String, Set<String>> events = new HashMap<>();
                    Set<String> byMovements = new HashSet<>();
                    List<Movement> movements = new ArrayList<>(t.getItem2());
                    movements.addAll(t.getItem3());
                    for (Movement m : movements) {
                        String key = "MOVEMENT:" + m.id();
                        // Our own pushes were read back by their post-push pull already.
                        boolean ours = m.descripcion() != null && m.descripcion().startsWith(ownReference);
                        if (known.contains(key) || events.containsKey(key) || ours) {
                            continue;
                        }
                        Set<String> products = new HashSet<>();
                        m.detalles().stream().map(MovementLine::productoId).forEach(products::add);
                        events.put(key, products);
                        byMovements.addAll(products);
                    }
                    Set<String> byDocuments = new HashSet<>();
                    for (SalesDocument d : t.getItem4()) {
                        String key = "DOCUMENT:" + d.id();
                        if (known.contains(key) || events.containsKey(key)) {
                            continue;
                        }
                        Set<String> products = new HashSet<>();
                        d.detalles().stream().map(MovementLine::productoId).forEach(products::add);
                        events.put(key, products);
                        byDocuments.addAll(products);
                    }
                    flagged.addAll(byMovements);
                    flagged.addAll(byDocuments);
                    flagged.retainAll(seen.keySet());
                    PullDetails.Signals counts = new PullDetails.Signals(byCatalogue, byMovements.size(),
                            byDocuments.size(), flagged.size(), baseline.usable());
                    LOG.debugf("delta signals store=%d since %s: %s", run.storeId(), from, counts);
                    return new Observed(today, totals, events, flagged, counts, seen.size(), seen,
                            baseline.integrationVersion());
                }))
                .onFailure().transform(e -> e instanceof SyncService.RunFailed ? e
                        : new SyncService.RunFailed("Contifico's change signals could not be read: " + SyncService.message(e)));
    }

    /** One list per warehouse, one after the other (Contifico's pace is per integration anyway), concatenated. */
    private static <T> Uni<List<T>> eachWarehouse(List<String> warehouses,
                                                  java.util.function.Function<String, Uni<List<T>>> read) {
        return io.smallrye.mutiny.Multi.createFrom().iterable(warehouses)
                .onItem().<List<T>>transformToUniAndConcatenate(w -> read.apply(w))
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    /**
     * Every catalogue product's figure, by id, in big pages until Contifico answers {@code []}. Not "until a short
     * page": a tenant that caps {@code result_size} below ours would otherwise end the walk after one page, silently.
     */
    private Uni<Map<String, BigDecimal>> catalogue(ContificoConnection conn) {
        int size = Math.max(1, config.cataloguePageSize());
        return Uni.createFrom().deferred(() -> cataloguePage(conn, 1, size, new HashMap<>()));
    }

    private Uni<Map<String, BigDecimal>> cataloguePage(ContificoConnection conn, int page, int size,
                                                       Map<String, BigDecimal> totals) {
        if (page > MAX_CATALOGUE_PAGES) {
            return Uni.createFrom().failure(new SyncService.RunFailed("Contifico's catalogue still had products after "
                    + MAX_CATALOGUE_PAGES + " pages: it seems to ignore result_page"));
        }
        return contifico.productPage(conn, page, size).chain(products -> {
            int before = totals.size();
            for (ContificoProduct p : products) {
                totals.put(p.id(), p.cantidadStock());
            }
            if (!products.isEmpty() && totals.size() == before) {
                return Uni.createFrom().failure(new SyncService.RunFailed("Contifico served catalogue page " + page
                        + " with only products already seen: it seems to ignore result_page"));
            }
            return products.isEmpty() ? Uni.createFrom().item(totals) : cataloguePage(conn, page + 1, size, totals);
        });
    }

    private Uni<Set<String>> seenEvents(long storeId) {
        return pool.preparedQuery("SELECT kind || ':' || event_id FROM contifico_seen_events WHERE store_id = $1")
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    Set<String> out = new HashSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }
}
