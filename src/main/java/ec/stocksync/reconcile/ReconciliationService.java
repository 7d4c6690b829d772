package ec.stocksync.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.JsonText;
import ec.stocksync.store.Platform;
import ec.stocksync.store.Store;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import ec.stocksync.storefront.StorefrontOrder;
import ec.stocksync.sync.AdvisoryLocks;
import ec.stocksync.webhook.PayloadException;
import ec.stocksync.webhook.WebhookIngestService;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The safety net for lost webhooks: WooCommerce never retries a failed delivery and Shopify gives up after 4 hours.
 * Reads the orders changed since the store's watermark back from the storefront and books them through the webhook
 * ingest (same parser, business keys and transaction), so an order a webhook brought books nothing more.
 */
@ApplicationScoped
public class ReconciliationService {

    private static final Logger LOG = Logger.getLogger(ReconciliationService.class);

    @Inject
    Pool pool;
    @Inject
    AdvisoryLocks locks;
    @Inject
    StoreContexts contexts;
    @Inject
    StorefrontClients storefronts;
    @Inject
    WebhookIngestService ingest;
    @Inject
    ReconcileConfig config;
    @Inject
    ObjectMapper mapper;
    @Inject
    JsonText json;

    /**
     * One run's result.
     *
     * @param alreadyBooked     orders that move stock, all of it booked before (by a webhook or an earlier run)
     * @param nothingToBook     orders with nothing that moves stock (test orders, drafts, untracked lines...)
     * @param rejected          orders that cannot be read as an order (reported; they do not hold the watermark back)
     * @param errors            failures that stopped orders from being booked: the watermark stays put
     * @param reconciledThrough the watermark after the run
     */
    @RegisterForReflection
    public record Summary(long storeId, String platform, String status, Instant since, int ordersRead, int ordersBooked,
                          int movementsBooked, int alreadyBooked, int nothingToBook, int rejected, int errors,
                          List<String> firstErrors, Instant reconciledThrough, boolean watermarkAdvanced,
                          long durationMs) {
    }

    /** Where a store's reconciliation stands ({@code GET /api/stores/{id}/reconcile}). */
    @RegisterForReflection
    public record State(long storeId, Instant reconciledThrough, Instant lastRunAt, String lastRunStatus,
                        String lastError, Object lastSummary) {
    }

    private record Target(Store store, Platform platform, WebhookIngestService.WebhookStore webhookStore,
                          Instant watermark) {
    }

    /** Reconciles the store now; 409 {@code reconcile_in_progress} when it is being reconciled elsewhere. */
    public Uni<Summary> reconcile(long storeId) {
        return tryReconcile(storeId).map(done -> done.orElseThrow(() -> ApiException.conflict("reconcile_in_progress",
                "Store " + storeId + " is being reconciled right now (by this or another replica); try again when it ends.")));
    }

    /** Reconciles the store unless it is being reconciled elsewhere (then empty, at once: a try-lock). */
    public Uni<Optional<Summary>> tryReconcile(long storeId) {
        // The watermark is read under the lock, so a run never starts from one another replica is about to move.
        return locks.withReconcileLock(storeId, () -> load(storeId).chain(this::run));
    }

    public Uni<State> state(long storeId) {
        return contexts.exists(storeId).chain(exists -> {
            if (!exists) {
                return Uni.createFrom().failure(ApiException.storeNotFound(storeId));
            }
            return pool.preparedQuery("""
                            SELECT reconciled_through, last_run_at, last_run_status, last_error,
                                   last_summary::text AS last_summary
                            FROM reconciliation_state WHERE store_id = $1""")
                    .execute(Tuple.of(storeId))
                    .map(rows -> {
                        if (!rows.iterator().hasNext()) {
                            return new State(storeId, null, null, null, null, null);
                        }
                        Row r = rows.iterator().next();
                        Object summary = null;
                        if (r.getString("last_summary") != null) {
                            try {
                                summary = mapper.readTree(r.getString("last_summary"));
                            } catch (JsonProcessingException e) {
                                throw new IllegalStateException("reconciliation_state.last_summary is not JSON", e);
                            }
                        }
                        return new State(storeId, instant(r.getOffsetDateTime("reconciled_through")),
                                instant(r.getOffsetDateTime("last_run_at")), r.getString("last_run_status"),
                                r.getString("last_error"), summary);
                    });
        });
    }

    private Uni<Target> load(long storeId) {
        return contexts.storeWithIntegrationId(storeId).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(ApiException.storeNotFound(storeId));
            }
            Store store = found.get().store();
            if (!store.active) {
                return Uni.createFrom().failure(ApiException.conflict("store_inactive",
                        "Store " + storeId + " is deactivated: nothing to reconcile."));
            }
            Platform platform = store.platformEnum();
            // Secrets play no part: nothing is verified, the orders come from the store's own API.
            WebhookIngestService.WebhookStore ws = new WebhookIngestService.WebhookStore(store.id, platform, true,
                    null, null, store.processTestOrders, store.refundsRestock, found.get().integrationId(),
                    store.keepRawPayloads);
            return pool.preparedQuery("SELECT reconciled_through FROM reconciliation_state WHERE store_id = $1")
                    .execute(Tuple.of(storeId))
                    .map(rows -> new Target(store, platform, ws, rows.iterator().hasNext()
                            ? instant(rows.iterator().next().getOffsetDateTime("reconciled_through")) : null));
        });
    }

    private Uni<Summary> run(Target target) {
        long startedNanos = System.nanoTime();
        Instant started = Instant.now();
        Instant floor = started.minus(config.maxLookback());
        Instant from = (target.watermark() != null ? target.watermark()
                : target.store().createdAt != null ? target.store().createdAt.toInstant() : floor)
                .minus(config.overlap());
        Instant since = from.isBefore(floor) ? floor : from;
        Tally tally = new Tally(config.maxErrorsReported());
        return Uni.createFrom().deferred(() -> storefronts.forStore(target.store()).ordersChangedSince(since)
                        .onItem().transformToUniAndConcatenate(order -> book(target, order, tally))
                        .collect().last()
                        .replaceWithVoid())
                .onFailure().recoverWithItem(failure -> {
                    tally.error("reading orders: " + describe(failure));
                    return null;
                })
                .chain(() -> finish(target, since, started, startedNanos, tally));
    }

    private Uni<Void> book(Target target, StorefrontOrder order, Tally tally) {
        tally.read(order.modifiedAt());
        String dedupeKey = "reconcile:" + target.platform().code() + ":order:" + order.id() + ":"
                + (order.modifiedAt() == null ? "unknown" : order.modifiedAt());
        Uni<WebhookIngestService.Reconciled> booking = target.platform() == Platform.SHOPIFY
                ? ingest.ingestReconciledShopify(target.webhookStore(), dedupeKey, order.json())
                : ingest.ingestReconciledWooCommerce(target.webhookStore(), dedupeKey, order.json());
        return booking
                .invoke(tally::count)
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    if (failure instanceof PayloadException) {
                        tally.rejected("order " + order.id() + ": " + failure.getMessage());
                    } else {
                        tally.error("order " + order.id() + ": " + describe(failure));
                    }
                    return null;
                });
    }

    private Uni<Summary> finish(Target target, Instant since, Instant started, long startedNanos, Tally tally) {
        boolean ok = tally.errors == 0;
        Instant old = target.watermark();
        Instant next = old;
        if (ok && tally.maxSeen != null) {
            // The storefront's own clock, so a skew between its clock and ours cannot open a gap; capped so the next
            // run still re-reads the last overlap of listing lag.
            Instant cap = started.minus(config.overlap());
            Instant candidate = tally.maxSeen.isAfter(cap) ? cap : tally.maxSeen;
            if (old == null || candidate.isAfter(old)) {
                next = candidate;
            }
        }
        Summary summary = new Summary(target.store().id, target.platform().code(), ok ? "DONE" : "FAILED", since,
                tally.read, tally.ordersBooked, tally.movementsBooked, tally.alreadyBooked, tally.nothingToBook,
                tally.rejected, tally.errors, List.copyOf(tally.messages), next, next != null && !next.equals(old),
                (System.nanoTime() - startedNanos) / 1_000_000);
        String summaryJson = json.of(summary);
        return pool.preparedQuery("""
                        INSERT INTO reconciliation_state (store_id, reconciled_through, last_run_at, last_run_status,
                                                          last_error, last_summary, updated_at)
                        VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, now())
                        ON CONFLICT (store_id) DO UPDATE SET
                            reconciled_through = GREATEST(reconciliation_state.reconciled_through, EXCLUDED.reconciled_through),
                            last_run_at = EXCLUDED.last_run_at, last_run_status = EXCLUDED.last_run_status,
                            last_error = EXCLUDED.last_error, last_summary = EXCLUDED.last_summary, updated_at = now()""")
                .execute(Tuple.from(new Object[]{target.store().id, offset(next), offset(started), summary.status(),
                        tally.firstError, summaryJson}))
                .map(x -> summary)
                .invoke(s -> LOG.infof("reconciled store=%d platform=%s status=%s since=%s read=%d booked=%d"
                                + " movements=%d already=%d errors=%d watermark=%s", s.storeId(), s.platform(), s.status(),
                        s.since(), s.ordersRead(), s.ordersBooked(), s.movementsBooked(), s.alreadyBooked(), s.errors(),
                        s.reconciledThrough()));
    }

    private static String describe(Throwable failure) {
        if (failure instanceof StorefrontException se) {
            return "storefront " + se.kind() + " (" + se.code() + "): " + se.getMessage();
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime offset(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    /** Counts of one run; orders are booked one after the other, but may resume on different threads. */
    private static final class Tally {
        private final int maxMessages;
        int read;
        int ordersBooked;
        int movementsBooked;
        int alreadyBooked;
        int nothingToBook;
        int rejected;
        int errors;
        Instant maxSeen;
        String firstError;
        final List<String> messages = new ArrayList<>();

        Tally(int maxMessages) {
            this.maxMessages = maxMessages;
        }

        synchronized void read(Instant modifiedAt) {
            read++;
            if (modifiedAt != null && (maxSeen == null || modifiedAt.isAfter(maxSeen))) {
                maxSeen = modifiedAt;
            }
        }

        synchronized void count(WebhookIngestService.Reconciled r) {
            int created = r.result().movementsCreated();
            if (created > 0) {
                ordersBooked++;
                movementsBooked += created;
            } else if (r.movesStock()) {
                alreadyBooked++;
            } else {
                nothingToBook++;
            }
        }

        synchronized void rejected(String message) {
            rejected++;
            note(message);
        }

        synchronized void error(String message) {
            errors++;
            firstError = firstError == null ? message : firstError;
            note(message);
        }

        private void note(String message) {
            if (messages.size() < maxMessages) {
                messages.add(message);
            }
        }
    }
}
