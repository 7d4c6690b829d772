package ec.stocksync.movement;

import ec.stocksync.common.ApiException;
import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoException;
import ec.stocksync.contifico.ContificoProductResolver;
import ec.stocksync.contifico.MovementType;
import ec.stocksync.contifico.NewMovement;
import ec.stocksync.observability.WorkScope;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.sync.AdvisoryLocks;
import ec.stocksync.sync.StockCache;
import ec.stocksync.sync.SyncService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Pushes movements to Contifico: one {@code Uni} per push unit, i.e. the movements of one (store, SKU, kind) waiting
 * together, which go out as ONE Contifico movement while each keeps its own status. Under the SKU's push lock:
 * push → update the cache → selective pull of that SKU → sync_logs (trigger SALE) → DONE.
 */
@ApplicationScoped
public class InventoryPushService {

    private static final Logger LOG = Logger.getLogger(InventoryPushService.class);
    /** Contifico documents no limit for descripcion: stay well within what such fields usually take. */
    static final int MAX_DESCRIPTION_LENGTH = 250;

    @Inject
    MovementRepository repo;
    @Inject
    StoreContexts contexts;
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
    MeterRegistry registry;
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
                .chain(ctx -> locks.withPushLock(first.storeId(), first.sku(), () -> underLock(owner, ctx, group, track))
                        .chain(done -> done.isPresent() ? Uni.createFrom().voidItem() : deferBusy(owner, group)))
                .onFailure().recoverWithUni(e -> failed(owner, List.copyOf(held), e));
    }

    private Uni<Void> deferBusy(String owner, List<Movement> group) {
        registry.counter("stocksync.movements", "outcome", "deferred_lock_busy").increment(group.size());
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, config.lockBusyDelay().toMillis() / 2));
        // The lock holder may be the worker whose push put these in doubt: let its request land before the look-up.
        Duration delay = group.stream().anyMatch(Movement::pushOutcomeUnknown)
                ? config.outcomeUnknownDelay() : config.lockBusyDelay();
        return repo.defer(owner, ids(group), delay.plusMillis(jitter));
    }

    private Uni<Boolean> underLock(String owner, StoreContext ctx, List<Movement> group,
                                   Consumer<List<Movement>> claimed) {
        Movement first = group.get(0);
        List<Movement> inDoubt = group.stream().filter(Movement::pushOutcomeUnknown).toList();
        if (!inDoubt.isEmpty()) {
            return settleDoubt(owner, ctx, group, inDoubt.get(0).contificoReference(), claimed).replaceWith(true);
        }
        List<Movement> pushed = group.stream().filter(m -> m.contificoMovementId() != null).toList();
        if (!pushed.isEmpty()) {
            // Pushed before a crash, not yet DONE: only the pull and the bookkeeping are left.
            return afterPush(owner, ctx, pushed)
                    .chain(() -> {
                        List<Movement> rest = group.stream().filter(m -> m.contificoMovementId() == null).toList();
                        return rest.isEmpty() ? Uni.createFrom().voidItem() : push(owner, ctx, rest);
                    })
                    .replaceWith(true);
        }
        return repo.claimSameSku(owner, config.lease(), first.storeId(), first.sku(), first.kind(),
                        Math.max(0, config.maxGroupSize() - group.size()))
                .invoke(claimed)
                .chain(more -> {
                    List<Movement> all = new ArrayList<>(group);
                    all.addAll(more);
                    return push(owner, ctx, all);
                })
                .replaceWith(true);
    }

    /**
     * An earlier push of this group may have reached Contifico. Look its reference up before anything else: found,
     * it counts as pushed; not found, the group is clean and is pushed afresh under a new reference.
     */
    private Uni<Void> settleDoubt(String owner, StoreContext ctx, List<Movement> group, String reference,
                                  Consumer<List<Movement>> claimed) {
        Movement first = group.get(0);
        ContificoConnection conn = ContificoConnection.of(ctx.integration());
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
                                    LOG.infof("push %s was booked in Contifico as %s although its answer was lost",
                                            reference, found.get(0).codigo());
                                    registry.counter("stocksync.movements", "outcome", "recovered_by_lookup").increment(members.size());
                                    return repo.markPushed(owner, ids(members), found.get(0).id(), reference)
                                            .chain(() -> afterPush(owner, ctx, members));
                                }
                                LOG.infof("push %s is not in Contifico: pushing again under a new reference", reference);
                                return repo.clearDoubt(owner, ids(members)).chain(() -> push(owner, ctx, members));
                            });
                });
    }

    private Uni<Void> push(String owner, StoreContext ctx, List<Movement> members) {
        Movement first = members.get(0);
        List<Long> ids = ids(members);
        ContificoConnection conn = ContificoConnection.of(ctx.integration());
        String reference = "[ss-" + first.storeId() + "-" + first.id() + "-"
                + UUID.randomUUID().toString().substring(0, 6) + "]";
        BigDecimal quantity = BigDecimal.valueOf(members.stream().mapToInt(Movement::quantity).sum());
        Timer.Sample sample = Timer.start(registry);
        return products.productId(first.storeId(), conn, first.sku())
                .chain(productId -> repo.markInDoubt(owner, ids, reference).chain(marked -> {
                    if (marked < ids.size()) {
                        // Our lease was taken over: whoever holds it now will push these movements.
                        return Uni.createFrom().failure(new LeaseLost(ids));
                    }
                    NewMovement movement = first.kind() == MovementKind.SALE
                            ? NewMovement.sale(productId, quantity, description(ctx, members, reference))
                            : NewMovement.restock(productId, quantity, BigDecimal.ZERO, description(ctx, members, reference));
                    return contifico.createMovement(conn, movement);
                }))
                .invoke(() -> sample.stop(registry.timer("stocksync.push.latency", "kind", first.kind().name())))
                .chain(booked -> {
                    LOG.infof("pushed %s %s x%s store=%d as %s (%d movement(s))", first.kind(), first.sku(), quantity,
                            first.storeId(), booked.codigo(), members.size());
                    return repo.markPushed(owner, ids, booked.id(), reference)
                            .chain(marked -> marked < ids.size()
                                    // Whoever took the lease over will find the booking by its reference.
                                    ? Uni.createFrom().<Void>failure(new LeaseLost(ids))
                                    : afterPush(owner, ctx, members));
                });
    }

    /**
     * Steps 3-6: cache, selective pull (its failure is logged, recorded and retried later; the push stays done), DONE.
     */
    private Uni<Void> afterPush(String owner, StoreContext ctx, List<Movement> members) {
        Movement first = members.get(0);
        int signed = members.stream().mapToInt(Movement::signedQuantity).sum();
        return cache.applyPush(first.storeId(), first.sku(), signed)
                // The push is booked whatever happens to the cache; the post-push pull below rewrites the figure.
                .onFailure().invoke(e -> LOG.errorf(e, "stock cache not updated after the push of store=%d sku=%s",
                        first.storeId(), first.sku()))
                .onFailure().recoverWithNull()
                .chain(() -> work.span("stocksync.pull.after_push", Map.of(WorkScope.STORE_ID,
                        String.valueOf(first.storeId()), WorkScope.SKU, first.sku()),
                        () -> sync.pullAfterPush(ctx, first.sku(), first.id(), 1)))
                .chain(() -> repo.markDone(owner, ids(members)))
                .invoke(n -> registry.counter("stocksync.movements", "outcome", "done").increment(n))
                .replaceWithVoid();
    }

    /** Decides what a failure means for the movements: retry later, or DEAD now. */
    private Uni<Void> failed(String owner, List<Movement> held, Throwable e) {
        List<Long> ids = ids(held);
        if (e instanceof LeaseLost) {
            LOG.warnf("lease on movements %s was lost; their new owner carries on", ids);
            return Uni.createFrom().voidItem();
        }
        int attempt = held.stream().mapToInt(Movement::attempts).max().orElse(0) + 1;
        boolean dead = false;
        // Only a failure that proves nothing was booked may clear a doubt; anything else keeps the look-up due.
        boolean notBooked = false;
        // A call the circuit breaker never let out says nothing about this movement: it costs no attempt.
        boolean spendAttempt = !circuitOpen(e);
        Duration delay = spendAttempt ? backoff(attempt) : config.circuitOpenDelay();
        String error;
        Uni<Void> before = Uni.createFrom().voidItem();
        if (e instanceof ContificoException ce) {
            error = ce.getClass().getSimpleName() + ": " + ce.getMessage();
            // An unknown outcome is not a verdict: it is retried, after a look-up of its reference.
            dead = !ce.isRetryable() && !ce.outcomeUnknown();
            notBooked = !ce.outcomeUnknown();
            if (ce.outcomeUnknown()) {
                delay = max(config.outcomeUnknownDelay(), delay);
            }
            if (ce instanceof ContificoException.Unavailable u && u.retryAfter() != null) {
                // Contifico said when to come back (a 429): sooner would only be refused again.
                delay = max(u.retryAfter(), delay);
            }
            if (staleProductId(ce)) {
                // The cached product id is gone (product recreated, integration moved): resolve the SKU afresh.
                Movement first = held.get(0);
                before = products.forget(first.storeId(), first.sku());
                dead = false;
            } else if (ce.status() == 401 || ce.status() == 403) {
                // A revoked or mistyped key is the operator's to fix; the sales wait for it without burning attempts.
                dead = false;
                spendAttempt = false;
                delay = config.backoffCap();
            }
        } else if (e instanceof DoubtUnresolved du) {
            error = "look-up of an earlier push failed: " + du.getCause().getMessage();
        } else if (e instanceof ApiException ae && "no_integration".equals(ae.code())) {
            // Not a verdict on the push (a doubt stays a doubt), and the sales wait for an integration for free.
            error = ae.getMessage();
            spendAttempt = false;
            delay = config.backoffCap();
        } else {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.errorf(e, "unexpected failure pushing movements %s", ids);
        }
        boolean spend = spendAttempt;
        boolean isDead = dead;
        boolean cleared = notBooked;
        Duration wait = delay;
        return before.onFailure().recoverWithNull()
                .chain(() -> repo.fail(owner, ids, error, wait, config.maxAttempts(), isDead, cleared, spend))
                .invoke(rows -> rows.forEach(m -> {
                    registry.counter("stocksync.movements", "outcome",
                            m.status() == MovementStatus.DEAD ? "dead" : "retry").increment();
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

    /** Contifico no longer knows the product id we cached for the SKU. */
    private static boolean staleProductId(ContificoException e) {
        return (e instanceof ContificoException.NotFound nf && nf.sku() == null)
                || (e instanceof ContificoException.Rejected r && Integer.valueOf(1056).equals(r.codError()));
    }

    private static boolean circuitOpen(Throwable e) {
        Throwable t = e instanceof DoubtUnresolved ? e.getCause() : e;
        return t instanceof ContificoException.Unavailable u && u.circuitOpen();
    }

    /** Exponential backoff with full jitter, from {@code backoffBase} up to {@code backoffCap}. */
    Duration backoff(int attempt) {
        long base = config.backoffBase().toMillis();
        long cap = config.backoffCap().toMillis();
        long exp = Math.min(cap, base << Math.min(20, Math.max(0, attempt - 1)));
        return Duration.ofMillis(exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
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
        return ms.stream().map(Movement::id).toList();
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
