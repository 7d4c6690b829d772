package ec.stocksync.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ec.stocksync.common.JsonText;
import ec.stocksync.movement.MovementDraft;
import ec.stocksync.movement.MovementKind;
import ec.stocksync.movement.MovementQueue;
import ec.stocksync.store.Platform;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Books the Shopify order edits that {@link WebhookIngestService#ingestShopifyEdit} recorded (table
 * {@code shopify_order_edits}). An edit names line ids; a line added by the edit is known only to Shopify, so each edit
 * is resolved by reading its order back, outside any transaction, then booked in one transaction. Durable: the edit row
 * was committed with its delivery, and stays PENDING until the booking commits; a crash in between leaves it for the
 * next claim (any replica, after the lease), and the business keys ({@code order_edit id + line id + SALE}) make a
 * second booking of the same edit insert nothing.
 *
 * <p>Against a reconciliation, which reads the order's current lines (the edit's units included) and books them as the
 * order's sale: under the order's lock, a reconciliation takes out the units of every edit it knows of (and marks them
 * {@code subtracted_by_events}), and the resolver leaves out an addition whose SKU's sale a reconciliation booked from
 * an order read at or after the edit without taking it out. Each unit is then counted once, whichever comes first.
 */
@ApplicationScoped
public class ShopifyOrderEdits {

    private static final Logger LOG = Logger.getLogger(ShopifyOrderEdits.class);

    @Inject
    Pool pool;
    @Inject
    StoreContexts contexts;
    @Inject
    StorefrontClients storefronts;
    @Inject
    JsonText json;
    @Inject
    ObjectMapper mapper;

    @Inject
    MeterRegistry registry;

    private DeferredClaims claims;

    @PostConstruct
    void claims() {
        claims = new DeferredClaims(pool, LOG, "Shopify order edit", "shopify_order_edits", "edit_id",
                "x.order_id, x.edited_at, x.additions::text AS additions", "outcome = 'GIVEN_UP',",
                DeferredBacklog.givenUp(registry, "shopify_order_edit"));
    }

    /** A claimed edit. */
    record Claimed(DeferredClaims.Due due, String orderId, OffsetDateTime editedAt,
                   List<ShopifyPayloads.Addition> additions) {
        long storeId() {
            return due.storeId();
        }

        String editId() {
            return due.key();
        }

        String subject() {
            return "shopify order edit " + editId() + " of order " + orderId() + " (store " + storeId() + ")";
        }
    }

    /** Every few seconds on every replica: claims make each edit one replica's at a time. */
    @Scheduled(identity = "shopify-order-edits", every = "5s", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return resolveDue().replaceWithVoid();
    }

    /** Claims the due edits and resolves them one after the other; answers how many were claimed. */
    public Uni<Integer> resolveDue() {
        return claims.resolveDue(r -> new Claimed(claims.due(r), r.getString("order_id"),
                r.getOffsetDateTime("edited_at"), additions(mapper, r.getString("additions"))), this::resolve);
    }

    /** After an edit is recorded: book it now rather than at the next tick. */
    void kick() {
        claims.kick(this::resolveDue);
    }

    /** An edit's additions as stored ({@code shopify_order_edits.additions}: [{"id", "delta"}]). */
    static List<ShopifyPayloads.Addition> additions(ObjectMapper mapper, String stored) {
        List<ShopifyPayloads.Addition> additions = new ArrayList<>();
        try {
            for (JsonNode a : mapper.readTree(stored)) {
                additions.add(new ShopifyPayloads.Addition(a.path("id").asText(), a.path("delta").asInt()));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("shopify_order_edits.additions is not JSON", e);
        }
        return additions;
    }

    private Uni<Void> resolve(Claimed edit) {
        return contexts.storeWithIntegrationId(edit.storeId()).chain(found -> {
                    if (found.isEmpty() || !found.get().store().active
                            || found.get().store().platformEnum() != Platform.SHOPIFY) {
                        return claims.giveUp(edit.due(), edit.subject(),
                                "the store is gone or deactivated: nothing booked");
                    }
                    var store = found.get();
                    // The read happens here, with no transaction open; the booking below is its own transaction.
                    return storefronts.forStore(store.store()).order(edit.orderId())
                            .map(order -> {
                                // A shop's answer is input like any other: the lines of another order are not this
                                // edit's (a PayloadException gives the edit up, nothing booked).
                                if (!edit.orderId().equals(ShopifyPayloads.idText(order, "id"))) {
                                    throw new PayloadException("id: the order read is not order " + edit.orderId());
                                }
                                return ShopifyPayloads.editAdditions(edit.editId(), edit.additions(), order,
                                        store.store().processTestOrders);
                            })
                            .chain(parsed -> book(edit, store.integrationId(), parsed));
                })
                .onFailure().recoverWithUni(e -> failed(edit, e));
    }

    /**
     * One transaction under the order's lock (the same row lock a reconciliation of the order takes): leave out
     * additions a reconciliation already counted, insert the movements, mark the edit DONE, give its webhook event
     * the final outcome, NOTIFY the worker.
     */
    private Uni<Void> book(Claimed edit, Long integrationId, ParsedDelivery parsed) {
        return pool.withTransaction(tx -> tx.preparedQuery(WebhookIngestService.LOCK_ORDER)
                .execute(Tuple.of(edit.storeId(), edit.orderId()))
                .chain(locked -> countedByReconciliation(tx, edit, parsed.drafts()))
                .chain(counted -> {
                    List<MovementDraft> drafts = new ArrayList<>();
                    List<SkippedLine> skipped = new ArrayList<>(parsed.skipped());
                    for (MovementDraft d : parsed.drafts()) {
                        if (counted.contains(d.businessKey())) {
                            skipped.add(new SkippedLine(lineOf(d.businessKey()), d.sku(), "already counted in the order's"
                                    + " sale, booked by a reconciliation that read the order after this edit"));
                        } else {
                            drafts.add(d);
                        }
                    }
                    WebhookOutcome outcome = parsed.outcome() == WebhookOutcome.IGNORED_TEST_ORDER
                            ? WebhookOutcome.IGNORED_TEST_ORDER : null;
                    Tuple args = Tuple.of(edit.storeId(), edit.editId(), integrationId);
                    MovementQueue.addDrafts(args, drafts);
                    args.addString(json.of(skipped)).addString(parsed.note())
                            .addString(outcome == null ? null : outcome.name()).addString(json.of(bookedUnits(drafts)));
                    return tx.preparedQuery(BOOK).execute(args);
                }))
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    LOG.infof("shopify order edit %s of order %s (store %d): %d movement(s) booked", edit.editId(),
                            edit.orderId(), edit.storeId(), r.getInteger("n"));
                })
                .replaceWithVoid();
    }

    /**
     * Units per line under the edit's own keys once this booking commits: every draft's key is then booked (inserted now,
     * by an earlier booking of the same edit, or purged after it), so the drafts are what the edit booked.
     */
    static Map<String, Long> bookedUnits(List<MovementDraft> drafts) {
        Map<String, Long> units = new TreeMap<>();
        drafts.forEach(d -> units.merge(lineOf(d.businessKey()), (long) d.quantity(), Long::sum));
        return units;
    }

    /** The business keys among {@code drafts} whose units a reconciliation already booked as the order's sale. */
    private Uni<Set<String>> countedByReconciliation(SqlConnection tx, Claimed edit, List<MovementDraft> drafts) {
        if (drafts.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        String[] keys = drafts.stream().map(MovementDraft::businessKey).toArray(String[]::new);
        String[] sales = drafts.stream().map(d -> ShopifyPayloads.saleKey(edit.orderId(), d.sku())).toArray(String[]::new);
        String[] added = drafts.stream().map(d -> ShopifyPayloads.addedPrefix(edit.orderId(), lineOf(d.businessKey())))
                .toArray(String[]::new);
        return tx.preparedQuery(COUNTED).execute(Tuple.from(new Object[]{edit.storeId(), keys, sales, edit.editedAt(),
                        edit.editId(), WebhookIngestService.RECONCILE_TOPIC, added}))
                .map(rows -> {
                    Set<String> counted = new HashSet<>();
                    rows.forEach(r -> counted.add(r.getString(0)));
                    return counted;
                });
    }

    /**
     * Keys whose SKU's sale, or whose line's units found by a reconciliation ({@code ADDED}), were booked by a
     * reconciliation event that read the order at or after the edit
     * ({@code updated_at} of its audit copy, Shopify's clock like the edit's {@code created_at}) and did not take this
     * edit out.
     */
    static final String COUNTED = """
            SELECT d.key FROM unnest($2::text[], $3::text[], $7::text[]) AS d(key, sale, added)
            WHERE EXISTS (
              SELECT 1 FROM webhook_events e
              WHERE (e.id = %s OR e.id IN %s) AND e.topic = $6
                AND (e.payload ->> 'updated_at')::timestamptz >= $4
                AND NOT EXISTS (SELECT 1 FROM shopify_order_edits x
                                WHERE x.store_id = $1 AND x.edit_id = $5 AND e.id = ANY(x.subtracted_by_events)))"""
            .formatted(MovementQueue.eventOfKey("d.sale"), MovementQueue.eventsUnderKeyPrefix("d.added"));

    /** Only the transaction that moves the edit out of PENDING books (the movements are joined with that update). */
    static final String BOOK = """
            WITH ed AS (
              UPDATE shopify_order_edits SET status = 'DONE', resolved_at = now(), claimed_until = NULL, last_error = NULL,
                     booked_units = $14::text::jsonb
              WHERE store_id = $1 AND edit_id = $2 AND status = 'PENDING'
              RETURNING webhook_event_id),
            %s,
            created AS (SELECT count(*)::int AS n FROM mv),
            ev AS (
              UPDATE webhook_events e
              SET outcome = coalesce($13::text, CASE WHEN c.n > 0 THEN 'BOOKED' ELSE 'NOTHING_TO_BOOK' END),
                  movements_created = c.n,
                  skipped_lines = e.skipped_lines || $11::text::jsonb,
                  note = concat_ws('; ', e.note, $12::text)
              FROM created c, ed WHERE e.id = ed.webhook_event_id AND e.store_id = $1
              RETURNING 1)
            SELECT c.n, (SELECT count(*) FROM ev) AS events,
                   CASE WHEN c.n > 0 THEN pg_notify('%s', $1::text) END AS notified
            FROM created c""".formatted(MovementQueue.insertCte("$3::bigint",
            // Retention keeps the event of a PENDING edit; should it be gone all the same, the movements point at none.
            "(SELECT e.id FROM webhook_events e WHERE e.id = ed.webhook_event_id)", "ed", 4),
            MovementQueue.CHANNEL);

    private Uni<Void> failed(Claimed edit, Throwable e) {
        boolean notFound = e instanceof StorefrontException se && se.kind() == StorefrontException.Kind.NOT_FOUND;
        String why = e instanceof StorefrontException se ? "reading the order from Shopify: " + se.getMessage()
                : e instanceof PayloadException ? "the order Shopify answered cannot be read: " + e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return claims.failed(edit.due(), edit.subject(), why, notFound || e instanceof PayloadException);
    }

    private static String lineOf(String editKey) {
        // shopify:order_edit:<edit>:line:<line>:SALE
        String[] parts = editKey.split(":");
        return parts.length >= 6 ? parts[4] : null;
    }

    /** An edit a reconciliation takes out of the order it read. */
    record KnownEdit(String editId, List<ShopifyPayloads.Addition> additions, Map<String, Long> booked) {
        /**
         * The units per line this edit accounts for on the order: what it booked under its own keys once DONE (an edit
         * a reconciliation had already counted books nothing, and its units are that reconciliation's); its additions
         * while PENDING (it will book them), or when DONE before V24 recorded what it booked.
         */
        Map<String, Long> units() {
            if (booked != null) {
                return booked;
            }
            Map<String, Long> units = new HashMap<>();
            additions.forEach(a -> units.merge(a.lineId(), (long) a.delta(), Long::sum));
            return units;
        }
    }

    /**
     * The edits of the order that book on their own (PENDING or DONE) and that the order read at {@code updatedAt}
     * already shows (edited at or before it; all of them when the time is unknown), in the caller's transaction, under
     * the order's lock. An edit made after the read is not in its lines: taking it out would undercount.
     */
    static Uni<List<KnownEdit>> knownEdits(SqlConnection tx, ObjectMapper mapper, long storeId, String orderId,
                                           String updatedAt) {
        OffsetDateTime readAt;
        try {
            readAt = updatedAt == null ? null : OffsetDateTime.parse(updatedAt);
        } catch (DateTimeParseException e) {
            readAt = null;
        }
        return tx.preparedQuery("""
                        SELECT edit_id, additions::text AS additions, booked_units::text AS booked
                        FROM shopify_order_edits
                        WHERE store_id = $1 AND order_id = $2 AND status IN ('PENDING', 'DONE')
                          AND ($3::timestamptz IS NULL OR edited_at <= $3)
                        ORDER BY edit_id""")
                .execute(Tuple.of(storeId, orderId, readAt))
                .map(rows -> {
                    List<KnownEdit> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new KnownEdit(r.getString("edit_id"),
                            additions(mapper, r.getString("additions")), booked(mapper, r.getString("booked")))));
                    return out;
                });
    }

    private static Map<String, Long> booked(ObjectMapper mapper, String stored) {
        if (stored == null) {
            return null;
        }
        Map<String, Long> units = new HashMap<>();
        try {
            mapper.readTree(stored).fields().forEachRemaining(f -> units.put(f.getKey(), f.getValue().asLong()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("shopify_order_edits.booked_units is not JSON", e);
        }
        return units;
    }

    /**
     * The order with the units of {@code edits} taken out of its lines (a line left with none is dropped), so that
     * booking it as the order's sale counts what the order was created with; the edits book the rest themselves.
     */
    static JsonNode withoutEdits(JsonNode order, List<KnownEdit> edits) {
        if (edits.isEmpty() || !order.path("line_items").isArray()) {
            return order;
        }
        Map<String, Long> added = new HashMap<>();
        edits.forEach(e -> e.additions().forEach(a -> added.merge(a.lineId(), (long) a.delta(), Long::sum)));
        ObjectNode copy = order.deepCopy();
        ArrayNode lines = copy.putArray("line_items");
        for (JsonNode line : order.path("line_items")) {
            Long delta = added.get(line.path("id").asText());
            if (delta == null || !line.path("quantity").canConvertToLong()) {
                lines.add(line);
                continue;
            }
            long left = line.path("quantity").asLong() - delta;
            if (left > 0) {
                lines.add(((ObjectNode) line.deepCopy()).put("quantity", left));
            }
        }
        return copy;
    }

    /**
     * Records which reconciliation events took the edits out, when they booked anything (only a booking event can be
     * the one that booked the order's sale). Every such event is kept: the order's sale of one SKU may be booked by a
     * later reconciliation than the first that took the edit out, and the resolver must not read that sale as having
     * counted the edit.
     */
    static Uni<Void> markSubtracted(SqlConnection tx, long storeId, List<KnownEdit> edits,
                                    WebhookIngestService.Result result) {
        if (edits.isEmpty() || result.webhookEventId() == null || result.movementsCreated() == 0) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("""
                        UPDATE shopify_order_edits SET subtracted_by_events = subtracted_by_events || $3::bigint
                        WHERE store_id = $1 AND edit_id = ANY($2) AND NOT $3::bigint = ANY(subtracted_by_events)""")
                .execute(Tuple.of(storeId, edits.stream().map(KnownEdit::editId).toArray(String[]::new),
                        result.webhookEventId()))
                .replaceWithVoid();
    }

    /** What the order's sale of each SKU was booked from: the event and what it subtracted. */
    static final String SALE_SOURCES = """
            SELECT d.key, e.id, e.topic, e.payload::text AS payload,
                   (SELECT coalesce(json_agg(x.additions), '[]'::json)::text FROM shopify_order_edits x
                    WHERE x.store_id = $1 AND e.id = ANY(x.subtracted_by_events)) AS subtracted
            FROM unnest($2::text[]) AS d(key) JOIN webhook_events e ON e.id = %s""".formatted(MovementQueue.eventOfKey("d.key"));

    /** Units earlier reconciliations found on each line ({@code $2} line ids, {@code $3} their ADDED key prefixes). */
    static final String ADDED_BEFORE = """
            SELECT d.line, %s AS units FROM unnest($2::text[], $3::text[]) AS d(line, prefix)"""
            .formatted(MovementQueue.unitsUnderKeyPrefix("d.prefix"));

    /**
     * Units on the order's lines that neither its booked sale nor any known edit accounts for: edits whose
     * {@code orders/edited} never arrived, on an order whose sale is already booked. For each line of a SKU whose sale is
     * booked (and whose booking event and its audit copy remain), the line's quantity now, less its quantity in that
     * event's copy (less what that event took out, when a reconciliation booked it), less the known edits' units, less
     * what earlier reconciliations found on it. Booked under {@code ...:line:<line>:ADDED:total:<units found on the line,
     * these included>}, so reading the same order again books nothing, a later find gets a key of its own even when the
     * line is at a quantity seen before, and an {@code orders/edited} arriving later finds its units counted.
     */
    static Uni<List<MovementDraft>> lostEdits(SqlConnection tx, ObjectMapper mapper, long storeId, JsonNode order,
                                              ParsedDelivery sale, List<KnownEdit> known) {
        String orderId = ShopifyPayloads.idText(order, "id");
        List<MovementDraft> sales = sale.drafts().stream().filter(d -> d.kind() == MovementKind.SALE).toList();
        if (sales.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        String[] keys = sales.stream().map(MovementDraft::businessKey).toArray(String[]::new);
        return tx.preparedQuery(SALE_SOURCES).execute(Tuple.of(storeId, keys)).chain(rows -> {
            Map<String, Long> base = new HashMap<>();
            Set<String> skusBooked = new HashSet<>();
            for (Row r : rows) {
                if (r.getString("payload") == null) {
                    continue;
                }
                String sku = r.getString("key").substring(("shopify:order:" + orderId + ":sku:").length(),
                        r.getString("key").length() - ":SALE".length());
                try {
                    JsonNode copy = mapper.readTree(r.getString("payload"));
                    // This SKU's lines only: what this event took out applies to the lines it booked, not to a line of
                    // another SKU whose sale another event booked (that took one edit's units out of it twice).
                    Map<String, Long> mine = new HashMap<>();
                    for (JsonNode line : copy.path("line_items")) {
                        if (sku.equals(ShopifyPayloads.sku(line.get("sku"))) && line.path("quantity").canConvertToLong()) {
                            mine.merge(line.path("id").asText(), line.path("quantity").asLong(), Long::sum);
                        }
                    }
                    if (WebhookIngestService.RECONCILE_TOPIC.equals(r.getString("topic"))) {
                        for (JsonNode additions : mapper.readTree(r.getString("subtracted"))) {
                            for (JsonNode a : additions) {
                                mine.computeIfPresent(a.path("id").asText(), (k, v) -> v - a.path("delta").asLong());
                            }
                        }
                    }
                    mine.forEach((line, units) -> base.merge(line, units, Long::sum));
                } catch (JsonProcessingException e) {
                    // Should the stored copy be unreadable, this SKU's lines are not compared (nothing booked for them).
                    LOG.warnf("store %d, order %s: the audit copy of webhook event %d cannot be parsed (%s); its"
                            + " lines are not checked for lost edits", storeId, orderId, r.getLong("id"),
                            e.getOriginalMessage());
                    continue;
                }
                skusBooked.add(sku);
            }
            // Only what each edit accounts for: units a reconciliation booked (ADDED, or in the sale) and an edit then
            // skipped are subtracted once, as the reconciliation's.
            Map<String, Long> knownUnits = new HashMap<>();
            known.forEach(k -> k.units().forEach((line, units) -> knownUnits.merge(line, units, Long::sum)));
            List<JsonNode> lines = new ArrayList<>();
            for (JsonNode line : order.path("line_items")) {
                String sku = ShopifyPayloads.sku(line.get("sku"));
                if (sku != null && skusBooked.contains(sku) && line.path("quantity").canConvertToLong()
                        && !line.path("gift_card").asBoolean(false)
                        && "shopify".equals(line.path("variant_inventory_management").asText(null))) {
                    lines.add(line);
                }
            }
            if (lines.isEmpty()) {
                return Uni.createFrom().item(List.<MovementDraft>of());
            }
            String[] ids = lines.stream().map(l -> l.path("id").asText()).toArray(String[]::new);
            String[] prefixes = lines.stream().map(l -> ShopifyPayloads.addedPrefix(orderId, l.path("id").asText()))
                    .toArray(String[]::new);
            return tx.preparedQuery(ADDED_BEFORE)
                    .execute(Tuple.of(storeId, ids, prefixes))
                    .map(added -> {
                        Map<String, Long> before = new HashMap<>();
                        added.forEach(r -> before.put(r.getString("line"), r.getLong("units")));
                        List<MovementDraft> drafts = new ArrayList<>();
                        for (JsonNode line : lines) {
                            String id = line.path("id").asText();
                            long now = line.path("quantity").asLong();
                            long unexplained = now - base.getOrDefault(id, 0L) - knownUnits.getOrDefault(id, 0L)
                                    - before.getOrDefault(id, 0L);
                            if (unexplained > 0 && unexplained <= Integer.MAX_VALUE) {
                                drafts.add(new MovementDraft(ShopifyPayloads.sku(line.get("sku")),
                                        MovementKind.SALE, (int) unexplained,
                                        ShopifyPayloads.addedKey(orderId, id, before.getOrDefault(id, 0L) + unexplained),
                                        orderId, order.path("name").asText(null),
                                        ShopifyPayloads.locationId(order)));
                            }
                        }
                        return drafts;
                    });
        });
    }
}
