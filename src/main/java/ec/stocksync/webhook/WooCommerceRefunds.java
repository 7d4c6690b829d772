package ec.stocksync.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.JsonText;
import ec.stocksync.movement.MovementQueue;
import ec.stocksync.store.Platform;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Books the restock of WooCommerce refunds (table {@code woocommerce_refunds}) for stores whose refunds restock
 * ({@code refundsRestock}). An order's {@code refunds[]} lists only each refund's id, reason and total; what it gave back
 * per line is in {@code GET /orders/{id}/refunds} (negative quantities). The webhook (or the reconciliation) records
 * the refund ids it sees, in its own transaction; this reads the refunds outside any transaction and books each refund
 * once, under the order's lock: a RESTOCK per refund line ({@code woocommerce:refund:<refund>:line:<line>:RESTOCK}),
 * never more units of a SKU than the order still has booked as sold, and the order's state counts them as refunded so
 * a later cancellation or full refund gives back only the rest.
 */
@ApplicationScoped
public class WooCommerceRefunds {

    private static final Logger LOG = Logger.getLogger(WooCommerceRefunds.class);

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
        // The event carried the order's own changes too: giving a refund up leaves its outcome, adds the note.
        claims = new DeferredClaims(pool, LOG, "WooCommerce refund", "woocommerce_refunds", "refund_id", "x.order_id", "",
                DeferredBacklog.givenUp(registry, "woocommerce_refund"));
    }

    record Claimed(DeferredClaims.Due due, String orderId) {
        long storeId() {
            return due.storeId();
        }

        String refundId() {
            return due.key();
        }

        String subject() {
            return "woocommerce refund " + refundId() + " of order " + orderId() + " (store " + storeId() + ")";
        }
    }

    /**
     * Records the refund ids an order lists, in the ingest's transaction; known ones are left alone but for the FAILED.
     * A refund seen while the store's refunds do not restock ({@code $5} false) is recorded as settled: turning the
     * setting on later must not restock units WooCommerce did not put back then. A refund given up (FAILED: WooCommerce
     * could not be read for days, the store was deactivated...) and listed again while the store's refunds restock is
     * revived: PENDING, read afresh, so a long outage loses no restock (its booking still books each line once, by its
     * keys).
     */
    static final String RECORD = """
            INSERT INTO woocommerce_refunds (store_id, order_id, refund_id, webhook_event_id, status, last_error, resolved_at)
            SELECT $1, $2, r, $4, CASE WHEN $5 THEN 'PENDING' ELSE 'DONE' END,
                   CASE WHEN $5 THEN NULL ELSE 'not restocked: the store''s refunds did not restock when it was seen' END,
                   CASE WHEN $5 THEN NULL ELSE now() END
            FROM unnest($3::text[]) AS r
            ON CONFLICT (store_id, refund_id) DO UPDATE
              SET status = 'PENDING', attempts = 0, next_attempt_at = now(), claimed_until = NULL, last_error = NULL,
                  resolved_at = NULL, pending_since = now(), webhook_event_id = EXCLUDED.webhook_event_id
              WHERE woocommerce_refunds.status = 'FAILED' AND $5""";

    /**
     * A PENDING refund listed again starts its age afresh (run before {@link #RECORD}, in the same transaction): a
     * give-up decided at a claim before this delivery must not swallow it ({@link DeferredClaims} checks the age again).
     */
    static final String REFRESH = """
            UPDATE woocommerce_refunds SET pending_since = now()
            WHERE store_id = $1 AND refund_id = ANY($2::text[]) AND status = 'PENDING'""";

    @Scheduled(identity = "woocommerce-refunds", every = "5s", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return resolveDue().replaceWithVoid();
    }

    public Uni<Integer> resolveDue() {
        return claims.resolveDue(r -> new Claimed(claims.due(r), r.getString("order_id")), this::resolve);
    }

    void kick() {
        claims.kick(this::resolveDue);
    }

    private Uni<Void> resolve(Claimed refund) {
        return contexts.storeWithIntegrationId(refund.storeId()).chain(found -> {
                    if (found.isEmpty() || !found.get().store().active
                            || found.get().store().platformEnum() != Platform.WOOCOMMERCE) {
                        return claims.giveUp(refund.due(), refund.subject(),
                                "the store is gone or deactivated: nothing booked");
                    }
                    if (!found.get().store().refundsRestock) {
                        return claims.giveUp(refund.due(), refund.subject(),
                                "the store's refunds do not restock (refundsRestock is off): nothing booked");
                    }
                    var store = found.get();
                    return storefronts.forStore(store.store()).refunds(refund.orderId())
                            .chain(all -> {
                                JsonNode mine = null;
                                for (JsonNode r : all) {
                                    if (refund.refundId().equals(r.path("id").asText())) {
                                        mine = r;
                                    }
                                }
                                if (mine == null) {
                                    return claims.giveUp(refund.due(), refund.subject(),
                                            "WooCommerce no longer lists refund " + refund.refundId()
                                            + " of order " + refund.orderId() + ": nothing booked");
                                }
                                return book(refund, store.integrationId(), mine);
                            });
                })
                .onFailure().recoverWithUni(e -> failed(refund, e));
    }

    /** A refund's lines as units per line: quantities are negative in WooCommerce; anything else is skipped, said why. */
    record RefundLine(String lineId, String sku, int units) {
    }

    static List<RefundLine> lines(JsonNode refund, List<SkippedLine> skipped) {
        // Keyed by line id: a line without an id cannot be matched to what was booked, and a repeated id must count its
        // units once, merged, or `refunded` would count units no movement booked.
        LinkedHashMap<String, RefundLine> out = new LinkedHashMap<>();
        for (JsonNode line : refund.path("line_items")) {
            JsonNode idNode = line.get("id");
            String lineId = idNode == null || !(idNode.isIntegralNumber() || idNode.isTextual()) || idNode.asText().isBlank()
                    ? null : idNode.asText().trim();
            String sku = ShopifyPayloads.sku(line.get("sku"));
            JsonNode q = line.get("quantity");
            RefundLine seen = lineId == null ? null : out.get(lineId);
            if (lineId == null) {
                skipped.add(new SkippedLine(null, sku, "refunded line has no id"));
            } else if (sku == null) {
                skipped.add(new SkippedLine(lineId, null, "refunded line has no SKU"));
            } else if (q == null || !q.canConvertToInt() || !q.isIntegralNumber() || q.asInt() >= 0) {
                skipped.add(new SkippedLine(lineId, sku, "refunded quantity " + q + " is not a negative whole number"));
            } else if (seen != null && (!seen.sku().equals(sku) || (long) seen.units() - q.asInt() > Integer.MAX_VALUE)) {
                skipped.add(new SkippedLine(lineId, sku, "refunded line id repeated with another SKU or too many units"));
            } else {
                out.put(lineId, new RefundLine(lineId, sku, (seen == null ? 0 : seen.units()) - q.asInt()));
            }
        }
        return new ArrayList<>(out.values());
    }

    private Uni<Void> book(Claimed refund, Long integrationId, JsonNode body) {
        return pool.withTransaction(tx -> tx.preparedQuery(WebhookIngestService.LOCK_ORDER)
                        .execute(Tuple.of(refund.storeId(), refund.orderId()))
                        .chain(rows -> {
                            Row r = rows.iterator().next();
                            WooCommerceOrders.OrderState prev = new WooCommerceOrders.OrderState(r.getBoolean("stock_reduced"),
                                    r.getInteger("cycle"), bookedLines(r.getString("booked_lines")), r.getString("last_status"),
                                    r.getString("source_modified_at"));
                            List<SkippedLine> skipped = new ArrayList<>();
                            WooCommerceOrders.RefundDecision d = WooCommerceOrders.refund(refund.orderId(), refund.refundId(),
                                    lines(body, skipped), prev);
                            skipped.addAll(d.skipped());
                            Tuple args = Tuple.of(refund.storeId(), refund.refundId(), integrationId);
                            MovementQueue.addDrafts(args, d.drafts());
                            args.addString(json.of(skipped)).addString(d.note()).addString(refund.orderId())
                                    .addString(json.of(d.next().bookedLines()));
                            return tx.preparedQuery(BOOK).execute(args);
                        }))
                .invoke(rows -> LOG.infof("woocommerce refund %s of order %s (store %d): %d movement(s) booked",
                        refund.refundId(), refund.orderId(), refund.storeId(), rows.iterator().next().getInteger("n")))
                .replaceWithVoid();
    }

    /**
     * Only the transaction that moves the refund out of PENDING books, and only it updates what the order has booked.
     * The event's outcome is not touched (it carried the order's own changes too); the refund's bookings are added to it.
     */
    static final String BOOK = """
            WITH rf AS (
              UPDATE woocommerce_refunds SET status = 'DONE', resolved_at = now(), claimed_until = NULL, last_error = NULL
              WHERE store_id = $1 AND refund_id = $2 AND status = 'PENDING'
              RETURNING webhook_event_id),
            %s,
            created AS (SELECT count(*)::int AS n FROM mv),
            st AS (
              UPDATE storefront_orders SET booked_lines = $14::text::jsonb, updated_at = now()
              WHERE store_id = $1 AND order_id = $13 AND EXISTS (SELECT 1 FROM rf)
              RETURNING 1),
            ev AS (
              UPDATE webhook_events e
              SET outcome = CASE WHEN c.n > 0 THEN 'BOOKED' ELSE e.outcome END,
                  movements_created = e.movements_created + c.n,
                  skipped_lines = e.skipped_lines || $11::text::jsonb,
                  note = concat_ws('; ', e.note, $12::text)
              FROM created c, rf WHERE e.id = rf.webhook_event_id AND e.store_id = $1
              RETURNING 1)
            SELECT c.n, (SELECT count(*) FROM st) AS saved, (SELECT count(*) FROM ev) AS events,
                   CASE WHEN c.n > 0 THEN pg_notify('%s', $1::text) END AS notified
            FROM created c""".formatted(MovementQueue.insertCte("$3::bigint",
            "(SELECT e.id FROM webhook_events e WHERE e.id = rf.webhook_event_id)", "rf", 4),
            MovementQueue.CHANNEL);

    private List<WooCommerceOrders.BookedLine> bookedLines(String text) {
        try {
            return List.of(mapper.readValue(text, WooCommerceOrders.BookedLine[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("storefront_orders.booked_lines is not valid JSON", e);
        }
    }

    private Uni<Void> failed(Claimed refund, Throwable e) {
        boolean notFound = e instanceof StorefrontException se && se.kind() == StorefrontException.Kind.NOT_FOUND;
        String why = e instanceof StorefrontException se ? "reading the refunds from WooCommerce: " + se.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return claims.failed(refund.due(), refund.subject(), why, notFound);
    }
}
