package ec.stocksync.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.JsonText;
import ec.stocksync.common.PlannedOnce;
import ec.stocksync.movement.MovementQueue;
import ec.stocksync.store.Platform;
import ec.stocksync.store.StoreContexts;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import org.jboss.logging.Logger;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Stores an accepted delivery: the webhook record and all its movements in one transaction, or nothing. Dedupe rests
 * on unique constraints (webhook dedupe key, movement business key), so concurrent duplicates cannot race past it.
 *
 * <p>Round trips are the cost of a delivery (issue 15): the record, its movements, the worker's NOTIFY (and, for
 * WooCommerce, the order's new state) are one statement ({@link #RECORD}), which is its own transaction for Shopify.
 * WooCommerce must read the order's state under a lock before deciding, so it takes BEGIN, the lock, the statement
 * and COMMIT.
 */
@ApplicationScoped
public class WebhookIngestService {

    private static final Logger LOG = Logger.getLogger(WebhookIngestService.class);

    /** The topic recorded on events the reconciliation books (webhook_events.topic). */
    public static final String RECONCILE_TOPIC = "reconcile/order";

    @Inject
    Pool pool;

    @Inject
    ObjectMapper mapper;
    @Inject
    JsonText json;
    @Inject
    StoreContexts contexts;
    @Inject
    WooCommerceRefunds wooRefunds;

    /** What a webhook needs to know about its store. */
    public record WebhookStore(long id, Platform platform, boolean active, String webhookSecret,
                               String previousWebhookSecret, boolean processTestOrders, boolean refundsRestock,
                               Long integrationId, boolean keepRawPayloads) {
    }

    /**
     * The answer to an accepted delivery. Registered because the WooCommerce endpoint returns it as {@code Object}, which
     * Quarkus cannot see through when it registers resource types for a native image.
     */
    @RegisterForReflection
    public record Result(String status, Long webhookEventId, WebhookOutcome outcome, int movementsCreated,
                         List<SkippedLine> skippedLines, String note) {
        static Result duplicate() {
            return new Result("duplicate", null, null, 0, List.of(), "already received: nothing new was booked");
        }
    }

    /**
     * The store a delivery names, as far as the delivery may learn: {@code accepts} is false for an inactive store or
     * one of the other platform. The caller still verifies the signature against {@code store}'s secrets first, so that
     * every refusal looks the same (DESIGN rule 11).
     */
    public record DeliveryTarget(WebhookStore store, boolean accepts, String shopDomain, String siteUrl) {
    }

    /** One query per delivery; empty when no store has this id. */
    public Uni<Optional<DeliveryTarget>> findStore(long storeId, Platform platform) {
        return contexts.webhookSettings(storeId).map(found -> found.map(r -> {
            boolean accepts = r.active() && platform.code().equals(r.platform());
            WebhookStore store = new WebhookStore(r.id(), platform, r.active(), r.webhookSecret(),
                    r.previousWebhookSecret(), r.processTestOrders(), r.refundsRestock(), r.integrationId(),
                    r.keepRawPayloads());
            return new DeliveryTarget(store, accepts, r.shopDomain(), r.siteUrl());
        }));
    }

    /**
     * {@code bodyHash} (sha256 of topic and raw body, see {@link WebhookResource}) makes a signed body replayed under
     * another webhook id a duplicate; null where there is no raw body (reconciliation).
     */
    public Uni<Result> ingestParsed(WebhookStore store, String topic, String webhookId, String bodyHash, String body,
                                     JsonNode payload, ParsedDelivery parsed) {
        // No explicit transaction: the one statement is atomic on its own.
        return withAuditFallback(audit(store, topic, payload, body),
                audit -> record(pool, store, topic, webhookId, bodyHash, audit, parsed, null, null));
    }

    /**
     * Optimistic first: the order's state is read without a lock or transaction, and the record statement applies the
     * decision only if that state is still the one read (its row version, or still no row). Three round trips with the
     * store look-up, where the locked transaction takes five. A delivery that lost the race (another delivery of the
     * same order changed its state in between) books nothing in that statement and goes through the locked path,
     * which decides again on the state as it is then.
     */
    public Uni<Result> ingestWooCommerce(WebhookStore store, String topic, String dedupeKey, String bodyHash,
                                         String body, JsonNode order) {
        String orderId = ShopifyPayloads.idText(order, "id");
        JsonNode refunds = order.path("refunds");
        // Refunds an order lists are recorded in the locked path's transaction (for WooCommerceRefunds to book): an
        // order that lists any goes there directly. New orders, most deliveries, list none.
        boolean listsRefunds = refunds.isArray() && !refunds.isEmpty();
        return withAuditFallback(audit(store, topic, order, body), audit -> (listsRefunds
                ? Uni.createFrom().<Result>nullItem()
                : readOrder(store.id(), orderId).chain(read -> {
                    WooCommerceOrders.Decision d = WooCommerceOrders.decide(order, read.state(), store.refundsRestock());
                    OrderSave save = new OrderSave(orderId, order.path("number").asText(null), d.next());
                    return record(pool, store, topic, dedupeKey, bodyHash, audit, d.delivery(), save, read);
                }))
                .chain(result -> result != null ? Uni.createFrom().item(result) : pool.withTransaction(
                                tx -> wooCommerce(tx, store, topic, dedupeKey, bodyHash, audit, order))
                        .invoke(this::kickRefunds).map(Reconciled::result)));
    }

    /**
     * One statement records an {@code orders/edited} delivery and, unless the edit is already known (a redelivery
     * under another webhook id, a second subscription), the edit for {@link ShopifyOrderEdits} to resolve. Nothing is
     * booked here: the added lines' SKUs need a read of the order from Shopify, which a webhook must not wait for. An
     * edit given up before (FAILED: Shopify could not be read for days...) is revived by a new copy: PENDING again,
     * pointing at the new event, read afresh; its keys and the reconciliation check still book its units once.
     */
    static final String RECORD_EDIT = """
            WITH seen AS (
              SELECT EXISTS (SELECT 1 FROM webhook_events e
                             WHERE e.store_id = $1 AND (e.dedupe_key = $3 OR e.body_hash = $7)) AS dup,
                     EXISTS (SELECT 1 FROM shopify_order_edits x
                             WHERE x.store_id = $1 AND x.edit_id = $9 AND x.status <> 'FAILED') AS known,
                     EXISTS (SELECT 1 FROM shopify_order_edits x
                             WHERE x.store_id = $1 AND x.edit_id = $9 AND x.status = 'FAILED') AS given_up),
            ev AS (
              INSERT INTO webhook_events (store_id, platform, topic, dedupe_key, resource_id, outcome, movements_created,
                                          skipped_lines, note, payload, body_hash, raw_payload)
              SELECT $1, 'shopify', $2::text, $3::text, $4::text,
                     CASE WHEN seen.known OR NOT $12 THEN 'NOTHING_TO_BOOK' ELSE 'DEFERRED' END, 0, $5::text::jsonb,
                     CASE WHEN seen.known THEN concat_ws('; ', $6::text, 'order edit ' || $9 || ' was already received')
                          WHEN seen.given_up AND $12
                          THEN concat_ws('; ', $6::text, 'order edit ' || $9 || ' had been given up: read again')
                          ELSE $6::text END,
                     $10::text::jsonb, $7::text, $8::text
              FROM seen WHERE NOT seen.dup
              ON CONFLICT DO NOTHING
              RETURNING id, outcome, note),
            edit AS (
              INSERT INTO shopify_order_edits (store_id, edit_id, order_id, webhook_event_id, edited_at, additions)
              SELECT $1, $9, $4, ev.id, $11, $13::text::jsonb FROM ev WHERE ev.outcome = 'DEFERRED'
              ON CONFLICT (store_id, edit_id) DO UPDATE
                SET status = 'PENDING', attempts = 0, next_attempt_at = now(), claimed_until = NULL, last_error = NULL,
                    resolved_at = NULL, pending_since = now(), webhook_event_id = EXCLUDED.webhook_event_id
                WHERE shopify_order_edits.status = 'FAILED'
              RETURNING 1),
            -- Another copy of a PENDING edit starts its age afresh: a give-up decided at a claim before it came must
            -- not swallow it (DeferredClaims checks the age again when it gives up).
            refreshed AS (
              UPDATE shopify_order_edits SET pending_since = now()
              WHERE store_id = $1 AND edit_id = $9 AND status = 'PENDING' AND $12
              RETURNING 1)
            SELECT ev.id, ev.outcome, ev.note, (SELECT count(*) FROM edit) AS edits,
                   (SELECT count(*) FROM refreshed) AS refreshed
            FROM (SELECT 1) one LEFT JOIN ev ON TRUE""";

    /**
     * Records a Shopify order edit (see {@link #RECORD_EDIT}); the answer's outcome is {@code DEFERRED} when the edit
     * has units to book later, {@code NOTHING_TO_BOOK} when it only removed units (their restock comes as a refund).
     */
    public Uni<Result> ingestShopifyEdit(WebhookStore store, String topic, String webhookId, String bodyHash,
                                         String body, JsonNode payload, ShopifyPayloads.OrderEdit edit) {
        boolean adds = !edit.additions().isEmpty();
        String note = "order edit " + edit.editId() + ": " + edit.additions().size() + " line(s) added to, "
                + edit.removals() + " removed from"
                + (adds ? "; booked once the added lines are read from Shopify" : "")
                + (edit.removals() > 0 ? "; removed units restock through their refund (refunds/create)" : "");
        String additions = json.of(edit.additions().stream()
                .map(a -> java.util.Map.of("id", a.lineId(), "delta", a.delta())).toList());
        return withAuditFallback(audit(store, topic, payload, body), audit -> {
            Tuple args = Tuple.from(new Object[]{store.id(), topic, webhookId, edit.orderId(), json.of(edit.skipped()),
                    audit.droppedBecause() == null ? note : note + "; " + audit.droppedBecause(), bodyHash, audit.raw(),
                    edit.editId(), audit.json(), edit.editedAt(), adds, additions});
            return pool.preparedQuery(RECORD_EDIT).execute(args).map(rows -> {
                Row r = rows.iterator().next();
                Long eventId = r.getLong("id");
                if (eventId == null) {
                    return Result.duplicate();
                }
                return new Result("accepted", eventId, WebhookOutcome.valueOf(r.getString("outcome")), 0,
                        edit.skipped(), r.getString("note"));
            });
        });
    }

    /**
     * What an event keeps of its delivery: {@code json} the minimised copy ({@link AuditCopy}), {@code raw} the body as
     * received only for a store that opted in to keeping it; both null when the database refused them, and then why.
     */
    record Audit(String json, String raw, String droppedBecause) {
    }

    private Audit audit(WebhookStore store, String topic, JsonNode payload, String rawBody) {
        JsonNode kept = AuditCopy.of(store.platform(), topic, payload);
        // auditable: a NUL escape in a kept value (a SKU, say) would make JSONB refuse the copy.
        return new Audit(kept == null ? null : auditable(kept.toString()),
                store.keepRawPayloads() ? rawBody : null, null);
    }

    /**
     * A customer can type almost anything into an order, and PostgreSQL's JSONB refuses some valid JSON (lone surrogate
     * escapes, numbers beyond its numeric range...). A refused audit copy must never turn into a 5xx that every retry
     * repeats: the delivery is booked again, in a new transaction, without it.
     */
    private <T> Uni<T> withAuditFallback(Audit audit, java.util.function.Function<Audit, Uni<T>> attempt) {
        return attempt.apply(audit)
                .onFailure(e -> (audit.json() != null || audit.raw() != null) && dataException(e) != null)
                .recoverWithUni(e -> {
                    String state = dataException(e);
                    LOG.warnf("webhook audit copy refused by PostgreSQL (SQLSTATE %s): booking without it", state);
                    return attempt.apply(new Audit(null, null, "audit copy not kept: the database refused it (SQLSTATE "
                            + state + ")"));
                });
    }

    /** The SQLSTATE of a PostgreSQL data exception (class 22) in the cause chain, else null. */
    private static String dataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
                return pg.getSqlState();
            }
        }
        return null;
    }

    /**
     * What booking one order read back from the storefront amounted to. {@code movesStock} says whether the order
     * moves stock at all (now or in an earlier delivery), which tells "already booked" from "nothing to book".
     */
    public record Reconciled(Result result, boolean movesStock, int refundsRecorded) {
        public Reconciled(Result result, boolean movesStock) {
            this(result, movesStock, 0);
        }
    }

    private void kickRefunds(Reconciled r) {
        if (r.refundsRecorded() > 0) {
            wooRefunds.kick();
        }
    }

    /**
     * A Shopify order the reconciliation read from the admin API, booked as the deliveries that may never have come
     * ({@code orders/create} and a {@code refunds/create} per refund): same parser, business keys and transaction as
     * the webhooks, so whatever a webhook already booked is skipped.
     */
    public Uni<Reconciled> ingestReconciledShopify(WebhookStore store, String dedupeKey, JsonNode order) {
        return Uni.createFrom().deferred(() -> {
            String orderId = ShopifyPayloads.idText(order, "id");
            // The audit copy is of the order as read: its updated_at is what ShopifyOrderEdits compares edits with.
            return withAuditFallback(audit(store, RECONCILE_TOPIC, order, order.toString()), audit -> pool.withTransaction(
                    tx -> tx.preparedQuery(LOCK_ORDER).execute(Tuple.of(store.id(), orderId))
                            .chain(locked -> ShopifyOrderEdits.knownEdits(tx, mapper, store.id(), orderId,
                                    order.path("updated_at").asText(null)))
                            .chain(edits -> {
                                ParsedDelivery own = ShopifyPayloads.orderWithRefunds(
                                        ShopifyOrderEdits.withoutEdits(order, edits), store.processTestOrders());
                                return ShopifyOrderEdits.lostEdits(tx, mapper, store.id(), order, own, edits)
                                        .map(lost -> lost.isEmpty() ? own : withLostEdits(own, lost))
                                        .map(parsed -> java.util.Map.entry(edits, parsed));
                            })
                            .chain(found -> {
                                var edits = found.getKey();
                                ParsedDelivery parsed = found.getValue();
                                return record(tx, store, RECONCILE_TOPIC, dedupeKey, null, audit, parsed, null, null)
                                        .call(result -> ShopifyOrderEdits.markSubtracted(tx, store.id(), edits, result))
                                        .call(result -> forgetIfNothingBooked(tx, result))
                                        .map(result -> new Reconciled(result, !parsed.drafts().isEmpty()));
                            })));
        });
    }

    private static ParsedDelivery withLostEdits(ParsedDelivery own, List<ec.stocksync.movement.MovementDraft> lost) {
        List<ec.stocksync.movement.MovementDraft> drafts = new java.util.ArrayList<>(own.drafts());
        drafts.addAll(lost);
        String note = lost.size() + " line(s) hold units no booked sale or known edit accounts for (a lost orders/edited)";
        return ParsedDelivery.of(own.resourceId(), drafts, own.skipped(), own.note() == null ? note : own.note() + "; " + note);
    }

    /** A WooCommerce order read back from the REST API, through the same state machine (and order lock) as its webhooks. */
    public Uni<Reconciled> ingestReconciledWooCommerce(WebhookStore store, String dedupeKey, JsonNode order) {
        // An event that recorded refunds to book stays: their movements will point at it.
        return withAuditFallback(audit(store, RECONCILE_TOPIC, order, order.toString()), audit -> pool.withTransaction(
                tx -> wooCommerce(tx, store, RECONCILE_TOPIC, dedupeKey, null, audit, order)
                        .call(r -> r.refundsRecorded() > 0 ? Uni.createFrom().voidItem()
                                : forgetIfNothingBooked(tx, r.result()))))
                .invoke(this::kickRefunds);
    }

    private Uni<Reconciled> wooCommerce(SqlConnection tx, WebhookStore store, String topic, String dedupeKey,
                                        String bodyHash, Audit audit, JsonNode order) {
        String orderId = ShopifyPayloads.idText(order, "id");
        return lockOrder(tx, store.id(), orderId)
                .chain(prev -> {
                    WooCommerceOrders.Decision d = WooCommerceOrders.decide(order, prev, store.refundsRestock());
                    return record(tx, store, topic, dedupeKey, bodyHash, audit, d.delivery(),
                            new OrderSave(orderId, order.path("number").asText(null), d.next()), null)
                            .chain(result -> recordRefunds(tx, store, orderId, order, result)
                                    .map(n -> new Reconciled(result, d.next().stockReduced() || d.next().cycle() > 0, n)));
                });
    }

    /**
     * The refunds an order lists, for {@link WooCommerceRefunds} to book when the store's refunds restock (recorded as
     * settled otherwise), when the delivery was not a duplicate; answers how many new ones are to book. Only ids: what each refund gave back per line needs a
     * read of WooCommerce, which happens outside this transaction.
     */
    private Uni<Integer> recordRefunds(SqlConnection tx, WebhookStore store, String orderId, JsonNode order, Result result) {
        JsonNode refunds = order.path("refunds");
        if (result.webhookEventId() == null || !refunds.isArray() || refunds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // Distinct: one INSERT ... ON CONFLICT DO UPDATE cannot touch a row twice (PostgreSQL 21000), and an order
        // listing a refund id twice would then fail its webhook and its reconciliation for good.
        Set<String> ids = new LinkedHashSet<>();
        refunds.forEach(r -> {
            JsonNode id = r.get("id");
            if (id != null && (id.isIntegralNumber() || id.isTextual()) && !id.asText().isBlank()) {
                ids.add(id.asText());
            }
        });
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        String[] listed = ids.toArray(String[]::new);
        Uni<Void> refreshed = store.refundsRestock()
                ? tx.preparedQuery(WooCommerceRefunds.REFRESH).execute(Tuple.of(store.id(), listed)).replaceWithVoid()
                : Uni.createFrom().voidItem();
        return refreshed.chain(() -> tx.preparedQuery(WooCommerceRefunds.RECORD)
                        .execute(Tuple.of(store.id(), orderId, listed, result.webhookEventId(), store.refundsRestock())))
                // Only refunds to book count: they keep a reconciliation's event and wake the resolver.
                .map(rows -> store.refundsRestock() ? rows.rowCount() : 0);
    }

    /**
     * Most orders a reconciliation reads were brought by their webhooks: keeping a row for each would double the
     * audit table for nothing. Only a reconciliation that booked something leaves its event (the proof of a lost delivery).
     */
    private Uni<Void> forgetIfNothingBooked(SqlConnection tx, Result result) {
        if (result.webhookEventId() == null || result.movementsCreated() > 0) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("DELETE FROM webhook_events WHERE id = $1").execute(Tuple.of(result.webhookEventId()))
                .replaceWithVoid();
    }

    /** A WooCommerce order's state to keep along with a delivery that is not a duplicate. */
    private record OrderSave(String orderId, String orderName, WooCommerceOrders.OrderState next) {
    }

    /**
     * One statement: dedupe, movements, the event with its final counts, the order's state, the worker's NOTIFY.
     * The event id is drawn first so the movements can point at it and the event row can carry how many of them were
     * created (a CTE cannot update a row another one inserted); foreign keys are checked at the end of the statement.
     * A duplicate seen in the snapshot books nothing; a concurrent one is stopped by the unique keys: its movements'
     * business keys wait for the first delivery and then skip, and its event clashes on the webhook id or body hash
     * (a movement pointing at an event that was not inserted would fail the statement, never book).
     */
    private static final String RECORD_TEMPLATE = """
            WITH seen AS (
              -- Two look-ups, each on its unique key (one OR read all of the store's events in a generic plan).
              SELECT EXISTS (SELECT 1 FROM webhook_events e WHERE e.store_id = $1 AND e.dedupe_key = $4)
                  OR EXISTS (SELECT 1 FROM webhook_events e WHERE e.body_hash = $10 AND e.store_id = $1) AS dup)%4$s,
            ev_id AS (SELECT nextval('webhook_events_id_seq') AS id FROM seen WHERE NOT dup%5$s),
            %1$s,
            created AS (SELECT count(*)::int AS n FROM mv),
            ev AS (
              -- No conflict target: a clash on the webhook id or on the body hash are both duplicates.
              INSERT INTO webhook_events (id, store_id, platform, topic, dedupe_key, resource_id, outcome,
                                          movements_created, skipped_lines, note, payload, body_hash, raw_payload)
              SELECT ev_id.id, $1, $2::text, $3::text, $4::text, $5::text,
                     CASE WHEN cardinality($13::text[]) = 0 THEN $6::text WHEN c.n > 0 THEN 'BOOKED' ELSE 'NOTHING_TO_BOOK' END,
                     c.n, $7::text::jsonb,
                     -- Another delivery (other topic, subscription or reconciliation) may have booked some of these
                     -- units already: their business keys made the insert skip them.
                     CASE WHEN cardinality($13::text[]) = c.n THEN $8::text
                          ELSE concat_ws('; ', $8::text, (cardinality($13::text[]) - c.n)
                                         || ' movement(s) were already booked by an earlier delivery') END,
                     $9::text::jsonb, $10::text, $11::text
              FROM ev_id, created c
              ON CONFLICT DO NOTHING
              RETURNING id, outcome, movements_created, note)%2$s
            SELECT ev.id, ev.outcome, ev.movements_created, ev.note,
                   CASE WHEN ev.movements_created > 0 THEN pg_notify('%3$s', $1::text) END AS notified,
                   (SELECT dup FROM seen) AS dup%6$s
            FROM (SELECT 1) one LEFT JOIN ev ON TRUE""";

    /** The record statement with {@code tail} after the event insert and, optionally, a guard that must apply. */
    private static String record(String tail, String guard) {
        return PlannedOnce.cached(RECORD_TEMPLATE.formatted(
                MovementQueue.insertCte("$12::bigint", "ev_id.id", "ev_id", 13), tail,
                MovementQueue.CHANNEL, guard == null ? "" : ",\n" + guard,
                guard == null ? "" : " AND EXISTS (SELECT 1 FROM guard)",
                guard == null ? "" : ",\n       EXISTS (SELECT 1 FROM guard) AS applied"));
    }

    /** Only a delivery that was not a duplicate moves the order's state. */
    private static final String SAVE_ORDER = """
            ,
            saved AS (
              UPDATE storefront_orders SET order_name = $21, last_status = $22, stock_reduced = $23, cycle = $24,
                     booked_lines = $25::text::jsonb, source_modified_at = $26, updated_at = now()
              WHERE store_id = $1 AND order_id = $20 AND EXISTS (SELECT 1 FROM ev)
              RETURNING 1)""";

    static final String RECORD_ONLY = record("", null);
    static final String RECORD_AND_ORDER = record(SAVE_ORDER, null);

    /**
     * The optimistic WooCommerce statements: the guard writes the order's new state only if it is still the state the
     * decision was made on, and only then are the event and the movements written. {@code xmin} is the row version:
     * any write to the row (this statement, the locked path's, even its no-op locking update) gives it a new one. A
     * concurrent writer's row lock makes the guard wait for it, then re-check its condition on the committed row.
     */
    static final String RECORD_IF_ORDER_UNCHANGED = record("", """
            guard AS (
              UPDATE storefront_orders SET order_name = $21, last_status = $22, stock_reduced = $23, cycle = $24,
                     booked_lines = $25::text::jsonb, source_modified_at = $26, updated_at = now()
              WHERE store_id = $1 AND order_id = $20 AND xmin::text = $27 AND NOT (SELECT dup FROM seen)
              RETURNING 1)""");
    /** The same for an order with no state yet: the guard is its first row, which a concurrent first row stops. */
    static final String RECORD_IF_ORDER_NEW = record("", """
            guard AS (
              INSERT INTO storefront_orders (store_id, order_id, order_name, last_status, stock_reduced, cycle,
                                             booked_lines, source_modified_at)
              SELECT $1, $20, $21, $22, $23, $24, $25::text::jsonb, $26 FROM seen WHERE NOT dup
              ON CONFLICT (store_id, order_id) DO NOTHING
              RETURNING 1)""");

    /**
     * Records a delivery. With {@code read} (the optimistic WooCommerce path), the order's state is written only if it
     * is still {@code read}; if it is not, nothing is written and the answer is null.
     */
    private Uni<Result> record(SqlClient client, WebhookStore store, String topic, String dedupeKey, String bodyHash,
                               Audit audit, ParsedDelivery given, OrderSave order, OrderRead read) {
        ParsedDelivery parsed = audit.droppedBecause() == null ? given : new ParsedDelivery(given.resourceId(),
                given.outcome(), given.drafts(), given.skipped(),
                given.note() == null ? audit.droppedBecause() : given.note() + "; " + audit.droppedBecause());
        Tuple args = Tuple.from(new Object[]{store.id(), store.platform().code(), topic, dedupeKey,
                parsed.resourceId(), parsed.outcome().name(), json.of(parsed.skipped()), parsed.note(),
                audit.json(), bodyHash, audit.raw()});
        args.addLong(store.integrationId());
        MovementQueue.addDrafts(args, parsed.drafts());
        if (order != null) {
            WooCommerceOrders.OrderState s = order.next();
            args.addString(order.orderId()).addString(order.orderName()).addString(s.lastStatus())
                    .addBoolean(s.stockReduced()).addInteger(s.cycle()).addString(json.of(s.bookedLines()))
                    .addString(s.sourceModifiedAt());
        }
        String sql;
        if (read == null) {
            sql = order == null ? RECORD_ONLY : RECORD_AND_ORDER;
        } else if (read.version() == null) {
            sql = RECORD_IF_ORDER_NEW;
        } else {
            sql = RECORD_IF_ORDER_UNCHANGED;
            args.addString(read.version());
        }
        return client.preparedQuery(sql).execute(args)
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Long eventId = r.getLong("id");
                    if (eventId == null) {
                        // Not a duplicate, yet not written: the guard found the order's state changed since it was read.
                        return read != null && !r.getBoolean("dup") && !r.getBoolean("applied") ? null : Result.duplicate();
                    }
                    return new Result("accepted", eventId, WebhookOutcome.valueOf(r.getString("outcome")),
                            r.getInteger("movements_created"), parsed.skipped(), r.getString("note"));
                });
    }

    /**
     * Creates the order's state row if needed and locks it, so two deliveries of one order apply one after the other.
     * One statement: the no-op DO UPDATE locks an existing row (waiting for a concurrent delivery's commit) and returns
     * its latest state, as INSERT ... DO NOTHING followed by SELECT ... FOR UPDATE did in two.
     */
    static final String LOCK_ORDER = """
            INSERT INTO storefront_orders (store_id, order_id) VALUES ($1, $2)
            ON CONFLICT (store_id, order_id) DO UPDATE SET order_id = EXCLUDED.order_id
            RETURNING stock_reduced, cycle, booked_lines::text AS booked_lines, last_status, source_modified_at""";

    /** An order's state as read without a lock, with its row version (null: no row yet). */
    private record OrderRead(WooCommerceOrders.OrderState state, String version) {
    }

    static final String READ_ORDER = PlannedOnce.cached("""
            SELECT stock_reduced, cycle, booked_lines::text AS booked_lines, last_status, source_modified_at,
                   xmin::text AS version
            FROM storefront_orders WHERE store_id = $1 AND order_id = $2""");

    private Uni<OrderRead> readOrder(long storeId, String orderId) {
        return pool.preparedQuery(READ_ORDER).execute(Tuple.of(storeId, orderId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new OrderRead(WooCommerceOrders.OrderState.NEW, null);
                    }
                    Row r = rows.iterator().next();
                    return new OrderRead(orderState(r), r.getString("version"));
                });
    }

    private WooCommerceOrders.OrderState orderState(Row r) {
        return new WooCommerceOrders.OrderState(r.getBoolean("stock_reduced"), r.getInteger("cycle"),
                fromJson(r.getString("booked_lines")), r.getString("last_status"), r.getString("source_modified_at"));
    }

    private Uni<WooCommerceOrders.OrderState> lockOrder(SqlConnection tx, long storeId, String orderId) {
        return tx.preparedQuery(LOCK_ORDER)
                .execute(Tuple.of(storeId, orderId))
                .map(rows -> orderState(rows.iterator().next()));
    }

    /** Whether the order was received as a Shopify test order and ignored. */
    public Uni<Boolean> wasIgnoredTestOrder(long storeId, String orderId) {
        return pool.preparedQuery("""
                        SELECT EXISTS (SELECT 1 FROM webhook_events
                                       WHERE store_id = $1 AND resource_id = $2 AND outcome = 'IGNORED_TEST_ORDER')""")
                .execute(Tuple.of(storeId, orderId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * PostgreSQL's JSONB cannot hold the NUL character: each NUL escape (backslash, "u0000") becomes U+FFFD. Escapes
     * are read pair by pair, so an escaped backslash followed by the text "u0000" (as a customer may type it in a note)
     * is left alone; replacing the six characters blindly would leave a dangling backslash and invalid JSON.
     */
    static String auditable(String body) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                i++;
            } else if (body.startsWith("u0000", i + 1)) {
                out.append("\\ufffd");
                i += 6;
            } else {
                out.append(c).append(body.charAt(i + 1));
                i += 2;
            }
        }
        return out.toString();
    }

    private List<WooCommerceOrders.BookedLine> fromJson(String json) {
        try {
            // An array class rather than a TypeReference: an anonymous subclass's generic signature is reflection
            // metadata a native image keeps only when told to; BookedLine itself is registered.
            return List.of(mapper.readValue(json, WooCommerceOrders.BookedLine[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("storefront_orders.booked_lines is not valid JSON", e);
        }
    }
}
