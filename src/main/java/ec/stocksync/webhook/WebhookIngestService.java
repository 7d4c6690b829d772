package ec.stocksync.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.JsonText;
import ec.stocksync.movement.MovementQueue;
import ec.stocksync.store.Platform;
import ec.stocksync.store.SecretBox;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import org.jboss.logging.Logger;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;

/**
 * Stores an accepted delivery: the webhook record and all its movements in one transaction, or nothing. Dedupe rests
 * on unique constraints (webhook dedupe key, movement business key), so concurrent duplicates cannot race past it.
 */
@ApplicationScoped
public class WebhookIngestService {

    private static final Logger LOG = Logger.getLogger(WebhookIngestService.class);

    /** The topic recorded on events the reconciliation books (webhook_events.topic). */
    public static final String RECONCILE_TOPIC = "reconcile/order";

    @Inject
    Pool pool;

    @Inject
    MovementQueue queue;

    @Inject
    ObjectMapper mapper;
    @Inject
    JsonText json;
    @Inject
    SecretBox secrets;

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
        return pool.preparedQuery("""
                        SELECT s.id, s.platform, s.active, s.webhook_secret, s.previous_webhook_secret,
                               s.process_test_orders, s.refunds_restock, s.shop_domain, s.site_url,
                               s.keep_raw_payloads,
                               (SELECT i.id FROM store_integrations i WHERE i.store_id = s.id AND i.active) AS integration_id
                        FROM stores s WHERE s.id = $1""")
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    Row r = rows.iterator().hasNext() ? rows.iterator().next() : null;
                    if (r == null) {
                        return Optional.empty();
                    }
                    boolean accepts = r.getBoolean("active") && platform.code().equals(r.getString("platform"));
                    WebhookStore store = new WebhookStore(r.getLong("id"), platform, r.getBoolean("active"),
                            secrets.open(r.getString("webhook_secret")), secrets.open(r.getString("previous_webhook_secret")),
                            r.getBoolean("process_test_orders"), r.getBoolean("refunds_restock"),
                            r.getLong("integration_id"), r.getBoolean("keep_raw_payloads"));
                    return Optional.of(new DeliveryTarget(store, accepts, r.getString("shop_domain"),
                            r.getString("site_url")));
                });
    }

    /**
     * {@code bodyHash} (sha256 of topic and raw body, see {@link WebhookResource}) makes a signed body replayed under
     * another webhook id a duplicate; null where there is no raw body (reconciliation).
     */
    public Uni<Result> ingestParsed(WebhookStore store, String topic, String webhookId, String bodyHash, String body,
                                     JsonNode payload, ParsedDelivery parsed) {
        return withAuditFallback(audit(store, topic, payload, body), audit -> pool.withTransaction(
                tx -> record(tx, store, topic, webhookId, bodyHash, audit, parsed)));
    }

    public Uni<Result> ingestWooCommerce(WebhookStore store, String topic, String dedupeKey, String bodyHash,
                                         String body, JsonNode order) {
        return withAuditFallback(audit(store, topic, order, body), audit -> pool.withTransaction(
                tx -> wooCommerce(tx, store, topic, dedupeKey, bodyHash, audit, order))).map(Reconciled::result);
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
    public record Reconciled(Result result, boolean movesStock) {
    }

    /**
     * A Shopify order the reconciliation read from the admin API, booked as the deliveries that may never have come
     * ({@code orders/create} and a {@code refunds/create} per refund): same parser, business keys and transaction as
     * the webhooks, so whatever a webhook already booked is skipped.
     */
    public Uni<Reconciled> ingestReconciledShopify(WebhookStore store, String dedupeKey, JsonNode order) {
        return Uni.createFrom().deferred(() -> {
            ParsedDelivery parsed = ShopifyPayloads.orderWithRefunds(order, store.processTestOrders());
            return withAuditFallback(audit(store, RECONCILE_TOPIC, order, order.toString()), audit -> pool.withTransaction(
                            tx -> record(tx, store, RECONCILE_TOPIC, dedupeKey, null, audit, parsed)
                                    .call(result -> forgetIfNothingBooked(tx, result))))
                    .map(result -> new Reconciled(result, !parsed.drafts().isEmpty()));
        });
    }

    /** A WooCommerce order read back from the REST API, through the same state machine (and order lock) as its webhooks. */
    public Uni<Reconciled> ingestReconciledWooCommerce(WebhookStore store, String dedupeKey, JsonNode order) {
        return withAuditFallback(audit(store, RECONCILE_TOPIC, order, order.toString()), audit -> pool.withTransaction(
                tx -> wooCommerce(tx, store, RECONCILE_TOPIC, dedupeKey, null, audit, order)
                        .call(r -> forgetIfNothingBooked(tx, r.result()))));
    }

    private Uni<Reconciled> wooCommerce(SqlConnection tx, WebhookStore store, String topic, String dedupeKey,
                                        String bodyHash, Audit audit, JsonNode order) {
        String orderId = ShopifyPayloads.idText(order, "id");
        return lockOrder(tx, store.id(), orderId)
                .chain(prev -> {
                    WooCommerceOrders.Decision d = WooCommerceOrders.decide(order, prev, store.refundsRestock());
                    return record(tx, store, topic, dedupeKey, bodyHash, audit, d.delivery())
                            .call(result -> result.webhookEventId() == null
                                    ? Uni.createFrom().voidItem()
                                    : saveOrder(tx, store.id(), orderId, order.path("number").asText(null), d.next()))
                            .map(result -> new Reconciled(result, d.next().stockReduced() || d.next().cycle() > 0));
                });
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

    private Uni<Result> record(SqlConnection tx, WebhookStore store, String topic, String dedupeKey, String bodyHash,
                               Audit audit, ParsedDelivery given) {
        ParsedDelivery parsed = audit.droppedBecause() == null ? given : new ParsedDelivery(given.resourceId(),
                given.outcome(), given.drafts(), given.skipped(),
                given.note() == null ? audit.droppedBecause() : given.note() + "; " + audit.droppedBecause());
        // No conflict target: a clash on the webhook id or on the body hash are both duplicates.
        return tx.preparedQuery("""
                        INSERT INTO webhook_events (store_id, platform, topic, dedupe_key, resource_id, outcome,
                                                    skipped_lines, note, payload, body_hash, raw_payload)
                        VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9::text::jsonb, $10, $11)
                        ON CONFLICT DO NOTHING
                        RETURNING id""")
                .execute(Tuple.from(new Object[]{store.id(), store.platform().code(), topic, dedupeKey,
                        parsed.resourceId(), parsed.outcome().name(), json.of(parsed.skipped()), parsed.note(),
                        audit.json(), bodyHash, audit.raw()}))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Uni.createFrom().item(Result.duplicate());
                    }
                    long eventId = rows.iterator().next().getLong(0);
                    if (parsed.drafts().isEmpty()) {
                        return Uni.createFrom().item(new Result("accepted", eventId, parsed.outcome(), 0,
                                parsed.skipped(), parsed.note()));
                    }
                    return queue.enqueue(tx, store.id(), store.integrationId(), eventId, parsed.drafts())
                            .chain(created -> {
                                // Another delivery (other topic, subscription or reconciliation) may have booked
                                // some of these units already: their business keys made the insert skip them.
                                int already = parsed.drafts().size() - created;
                                WebhookOutcome outcome = created > 0 ? WebhookOutcome.BOOKED : WebhookOutcome.NOTHING_TO_BOOK;
                                String alreadyNote = already + " movement(s) were already booked by an earlier delivery";
                                String note = already == 0 ? parsed.note()
                                        : parsed.note() == null ? alreadyNote : parsed.note() + "; " + alreadyNote;
                                return tx.preparedQuery("UPDATE webhook_events SET movements_created = $2, outcome = $3,"
                                                + " note = $4 WHERE id = $1")
                                        .execute(Tuple.of(eventId, created, outcome.name(), note))
                                        .map(x -> new Result("accepted", eventId, outcome, created, parsed.skipped(), note));
                            });
                });
    }

    /** Creates the order's state row if needed and locks it, so two deliveries of one order apply one after the other. */
    private Uni<WooCommerceOrders.OrderState> lockOrder(SqlConnection tx, long storeId, String orderId) {
        return tx.preparedQuery("INSERT INTO storefront_orders (store_id, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(storeId, orderId))
                .chain(() -> tx.preparedQuery("""
                                SELECT stock_reduced, cycle, booked_lines::text AS booked_lines, last_status, source_modified_at
                                FROM storefront_orders WHERE store_id = $1 AND order_id = $2 FOR UPDATE""")
                        .execute(Tuple.of(storeId, orderId)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new WooCommerceOrders.OrderState(r.getBoolean("stock_reduced"), r.getInteger("cycle"),
                            fromJson(r.getString("booked_lines")), r.getString("last_status"),
                            r.getString("source_modified_at"));
                });
    }

    private Uni<Void> saveOrder(SqlConnection tx, long storeId, String orderId, String orderName,
                                WooCommerceOrders.OrderState s) {
        return tx.preparedQuery("""
                        UPDATE storefront_orders SET order_name = $3, last_status = $4, stock_reduced = $5, cycle = $6,
                               booked_lines = $7::text::jsonb, source_modified_at = $8, updated_at = now()
                        WHERE store_id = $1 AND order_id = $2""")
                .execute(Tuple.from(new Object[]{storeId, orderId, orderName, s.lastStatus(), s.stockReduced(),
                        s.cycle(), json.of(s.bookedLines()), s.sourceModifiedAt()}))
                .replaceWithVoid();
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
