package ec.stocksync.movement;

import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoProductResolver;
import ec.stocksync.contifico.MovementType;
import ec.stocksync.contifico.NewMovement;
import ec.stocksync.observability.WorkScope;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.store.StoreLocations;
import ec.stocksync.sync.AdvisoryLocks;
import ec.stocksync.sync.StockCache;
import ec.stocksync.sync.SyncService;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Pushes movements to Contifico: one {@code Uni} per push unit, i.e. the movements of one (store, SKU, kind) waiting
 * together, which go out as ONE Contifico movement while each keeps its own status. Under the SKU's push lock:
 * push → update the cache → selective pull of that SKU → sync_logs (trigger SALE) → DONE. This class is the happy
 * path; {@link PushFailurePolicy} decides what a failure means and {@link PushOutcomes} records every outcome.
 */
@ApplicationScoped
public class InventoryPushService {

    /** Contifico documents no limit for descripcion: stay well within what such fields usually take. */
    static final int MAX_DESCRIPTION_LENGTH = 250;
    private static final Logger LOG = Logger.getLogger(InventoryPushService.class);

    @Inject
    MovementRepository repo;
    @Inject
    StoreContexts contexts;
    @Inject
    StoreLocations locations;
    @Inject
    AdvisoryLocks locks;
    @Inject
    ContificoClient contifico;
    @Inject
    ContificoProductResolver products;
    @Inject
    StockCache cache;
    @Inject
    SyncService sync;
    @Inject
    WorkerConfig config;
    @Inject
    PushOutcomes outcomes;
    @Inject
    WorkScope work;

    /**
     * Processes movements claimed together by {@code owner} (same store, SKU and kind). Never fails: every outcome is
     * written to the queue. {@code claimed} hears of movements claimed on the way (burst coalescing), so their leases
     * are renewed too.
     */
    public Uni<Void> process(String owner, List<Movement> group, Consumer<List<Movement>> claimed) {
        Movement first = group.get(0);
        // Every log line and span of this unit names the store, the SKU and the group's first movement, whichever
        // thread writes it (WorkScope explains why the unit needs a Vert.x context of its own for that).
        return work.isolated("stocksync.push", Map.of(WorkScope.STORE_ID, String.valueOf(first.storeId()),
                        WorkScope.SKU, first.sku(), WorkScope.MOVEMENT_ID, String.valueOf(first.id())),
                () -> processHere(owner, group, claimed));
    }

    private Uni<Void> processHere(String owner, List<Movement> group, Consumer<List<Movement>> claimed) {
        Movement first = group.get(0);
        // Everything this unit holds a lease on, including movements swept in on the way: a failure settles them all.
        List<Movement> held = new CopyOnWriteArrayList<>(group);
        Consumer<List<Movement>> track = more -> {
            if (!more.isEmpty()) {
                held.addAll(more);
                claimed.accept(more);
            }
        };
        return contexts.load(first.storeId(), first.integrationId())
                .chain(ctx -> target(ctx, first).chain(to -> locks.withPushLock(first.storeId(), first.sku(),
                                () -> underLock(owner, ctx, to, group, track)))
                        .chain(done -> done.isPresent() ? Uni.createFrom().voidItem()
                                : outcomes.deferLockBusy(owner, group)))
                .onFailure().recoverWithUni(e -> outcomes.failed(owner, List.copyOf(held), e));
    }

    /**
     * Where the group is booked (issue 14 D): the push warehouse of the storefront location that fulfils it (the
     * store's own location when the delivery names none), else the integration's warehouse. Fresh pushes (a re-push
     * after a look-up found nothing included) always take this route; only the look-up of a push that may have landed
     * uses the warehouse recorded for it ({@link Target#lookup}).
     */
    private Uni<Target> target(StoreContext ctx, Movement first) {
        ContificoConnection base = ContificoConnection.of(ctx.integration());
        String own = StoreLocations.ownLocation(ctx.store());
        String location = first.storefrontLocationId() != null ? first.storefrontLocationId() : own;
        boolean atOwn = location == null || location.equals(own);
        if (location == null) {
            return Uni.createFrom().item(new Target(base, base, true));
        }
        return locations.route(ctx.storeId(), location).map(route -> {
            if (route.pushWarehouseId() != null) {
                return new Target(base, base.withWarehouse(route.pushWarehouseId()), atOwn);
            }
            if (route.storeHasMap()) {
                LOG.infof("movement %d (SKU %s): storefront location %s is not in the store's location map;"
                        + " booked in the integration's warehouse %s", first.id(), first.sku(), location,
                        base.warehouseId());
            }
            return new Target(base, base, atOwn);
        });
    }

    /**
     * The connection a fresh push books through (its warehouse), the integration's own connection, and whether the
     * movement is at the store's own location, whose figures {@code stock_cache} keeps.
     */
    private record Target(ContificoConnection integration, ContificoConnection conn, boolean atOwnLocation) {

        /**
         * Where a push that may have landed is looked up: the warehouse recorded before its POST, whatever the map
         * says now. A movement sent before V22 recorded none; it went to the integration's warehouse (there was no
         * map), so that is where it is looked for: the mapped warehouse would find nothing and book the sale twice.
         */
        ContificoConnection lookup(Movement sent) {
            return sent.contificoWarehouseId() != null ? integration.withWarehouse(sent.contificoWarehouseId())
                    : integration;
        }
    }

    private Uni<Boolean> underLock(String owner, StoreContext ctx, Target to, List<Movement> group,
                                   Consumer<List<Movement>> claimed) {
        Movement first = group.get(0);
        List<Movement> inDoubt = group.stream().filter(Movement::pushOutcomeUnknown).toList();
        if (!inDoubt.isEmpty()) {
            return settleDoubt(owner, ctx, to, group, inDoubt.get(0), claimed).replaceWith(true);
        }
        List<Movement> pushed = group.stream().filter(m -> m.contificoMovementId() != null).toList();
        if (!pushed.isEmpty()) {
            // Pushed before a crash, not yet DONE: only the pull and the bookkeeping are left.
            return afterPush(owner, ctx, to, pushed)
                    .chain(() -> {
                        List<Movement> rest = group.stream().filter(m -> m.contificoMovementId() == null).toList();
                        return rest.isEmpty() ? Uni.createFrom().voidItem() : push(owner, ctx, to, rest);
                    })
                    .replaceWith(true);
        }
        return repo.claimSameSku(owner, config.lease(), first.storeId(), first.sku(), first.kind(),
                        first.storefrontLocationId(), Math.max(0, config.maxGroupSize() - group.size()))
                .invoke(claimed)
                .chain(more -> {
                    List<Movement> all = new ArrayList<>(group);
                    all.addAll(more);
                    return push(owner, ctx, to, all);
                })
                .replaceWith(true);
    }

    /**
     * An earlier push of this group may have reached Contifico. Look its reference up before anything else: found,
     * it counts as pushed; not found, the group is clean and is pushed afresh under a new reference.
     */
    private Uni<Void> settleDoubt(String owner, StoreContext ctx, Target target, List<Movement> group, Movement doubted,
                                  Consumer<List<Movement>> claimed) {
        Movement first = group.get(0);
        String reference = doubted.contificoReference();
        ContificoConnection conn = target.lookup(doubted);
        return repo.claimSameReference(owner, config.lease(), first.storeId(), reference)
                .invoke(claimed)
                .chain(more -> {
                    List<Movement> members = new ArrayList<>(group);
                    members.addAll(more);
                    // The movement carries the date it was sent on; look around the day the doubt began.
                    LocalDate sent = members.stream()
                            .map(m -> (m.inDoubtSince() != null ? m.inDoubtSince() : m.createdAt())
                                    .atZoneSameInstant(NewMovement.CONTIFICO_ZONE).toLocalDate())
                            .min(Comparator.naturalOrder()).orElse(NewMovement.today());
                    LocalDate to = sent.plusDays(1).isAfter(NewMovement.today()) ? NewMovement.today() : sent.plusDays(1);
                    return contifico.findMovementsByReference(conn, reference, type(first.kind()), sent.minusDays(1), to)
                            .onFailure().transform(DoubtUnresolved::new)
                            .chain(found -> {
                                if (!found.isEmpty()) {
                                    outcomes.recoveredByLookup(reference, found.get(0).codigo(), members.size());
                                    return repo.markPushed(owner, ids(members), found.get(0).id(), reference)
                                            .chain(() -> afterPush(owner, ctx, target, members));
                                }
                                outcomes.notFoundByLookup(reference);
                                return repo.clearDoubt(owner, ids(members)).chain(() -> push(owner, ctx, target, members));
                            });
                });
    }

    private Uni<Void> push(String owner, StoreContext ctx, Target to, List<Movement> members) {
        Movement first = members.get(0);
        List<Long> ids = ids(members);
        ContificoConnection conn = to.conn();
        String reference = "[ss-" + first.storeId() + "-" + first.id() + "-"
                + UUID.randomUUID().toString().substring(0, 6) + "]";
        BigDecimal quantity = BigDecimal.valueOf(members.stream().mapToInt(Movement::quantity).sum());
        Timer.Sample sample = outcomes.pushStarted();
        return products.productId(first.storeId(), conn, first.sku())
                .chain(productId -> repo.markInDoubt(owner, ids, reference, conn.warehouseId()).chain(marked -> {
                    if (marked < ids.size()) {
                        // Our lease was taken over: whoever holds it now will push these movements.
                        return Uni.createFrom().failure(new LeaseLost(ids));
                    }
                    NewMovement movement = first.kind() == MovementKind.SALE
                            ? NewMovement.sale(productId, quantity, description(ctx, members, reference))
                            : NewMovement.restock(productId, quantity, BigDecimal.ZERO, description(ctx, members, reference));
                    return contifico.createMovement(conn, movement);
                }))
                .chain(booked -> {
                    outcomes.pushed(sample, first, quantity, booked.codigo(), members.size());
                    return repo.markPushed(owner, ids, booked.id(), reference)
                            .chain(marked -> marked < ids.size()
                                    // Whoever took the lease over will find the booking by its reference.
                                    ? Uni.createFrom().<Void>failure(new LeaseLost(ids))
                                    : afterPush(owner, ctx, to, members));
                });
    }

    /**
     * Steps 3-6: cache, selective pull (its failure is logged, recorded and retried later; the push stays done), DONE.
     */
    private Uni<Void> afterPush(String owner, StoreContext ctx, Target to, List<Movement> members) {
        Movement first = members.get(0);
        int signed = members.stream().mapToInt(Movement::signedQuantity).sum();
        return cache.applyPush(first.storeId(), first.sku(), signed, to.atOwnLocation())
                // The push is booked whatever happens to the cache; the post-push pull below rewrites the figure.
                .onFailure().invoke(e -> outcomes.cacheNotUpdated(e, first))
                .onFailure().recoverWithNull()
                .chain(() -> work.span("stocksync.pull.after_push", Map.of(WorkScope.STORE_ID,
                        String.valueOf(first.storeId()), WorkScope.SKU, first.sku()),
                        () -> sync.pullAfterPush(ctx, first.sku(), first.id(), 1)))
                .chain(() -> repo.markDone(owner, ids(members)))
                .invoke(outcomes::done)
                .replaceWithVoid();
    }

    /**
     * What a merchant reading Contifico sees: our reference first (so no truncation by Contifico can cut it off the
     * look-up), then the orders behind the movement, within {@link #MAX_DESCRIPTION_LENGTH} characters.
     */
    static String description(StoreContext ctx, List<Movement> members, String reference) {
        String verb = members.get(0).kind() == MovementKind.SALE ? "Venta" : "Reingreso";
        Map<String, Integer> byOrder = new LinkedHashMap<>();
        for (Movement m : members) {
            byOrder.merge(m.orderName() != null ? m.orderName() : "pedido " + m.orderId(), m.quantity(), Integer::sum);
        }
        StringBuilder text = new StringBuilder(reference).append(' ').append(verb).append(' ')
                .append(ctx.store().platform).append(' ').append(ctx.store().name).append(':');
        int listed = 0;
        for (Map.Entry<String, Integer> e : byOrder.entrySet()) {
            String item = (listed == 0 ? " " : ", ") + e.getKey() + " x" + e.getValue();
            if (text.length() + item.length() > MAX_DESCRIPTION_LENGTH - 12) {
                text.append(" y ").append(byOrder.size() - listed).append(" más");
                break;
            }
            text.append(item);
            listed++;
        }
        return text.length() <= MAX_DESCRIPTION_LENGTH ? text.toString() : text.substring(0, MAX_DESCRIPTION_LENGTH);
    }

    static MovementType type(MovementKind kind) {
        return kind == MovementKind.SALE ? MovementType.EGR : MovementType.ING;
    }

    private static List<Long> ids(List<Movement> ms) {
        return PushOutcomes.ids(ms);
    }

    /** The look-up that would settle an in-doubt push failed: the doubt stays, the look-up is tried again later. */
    static final class DoubtUnresolved extends RuntimeException {
        DoubtUnresolved(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Our lease on the movements was taken over by another worker. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost(List<Long> ids) {
            super("lease lost on " + ids, null, false, false);
        }
    }
}
