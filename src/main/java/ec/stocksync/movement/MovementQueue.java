package ec.stocksync.movement;

import io.vertx.mutiny.sqlclient.Tuple;

import java.util.List;

/**
 * SQL fragments on {@code inventory_movements_queue} that other packages embed in statements of their own, which must
 * stay one round trip: the insert, as a CTE for the webhook ingest's single statement (one round trip per delivery
 * instead of one per step, issue 15), and the reads the status page and webhook retention join with their tables. The
 * rules (what counts as open, reserved, booked) stay here; {@link MovementRepository} runs the queue's own statements.
 */
public final class MovementQueue {

    /** The channel the worker LISTENs on; the payload is the store id. */
    public static final String CHANNEL = "inventory_movements";

    private MovementQueue() {
    }

    /**
     * A CTE named {@code mv} that queues the drafts as PENDING and returns one row per movement created. A draft whose
     * business key is already queued (or was, and has been purged since) is skipped. {@code $1} must be the store id;
     * {@code integration} and {@code event} are SQL expressions; the seven draft arrays are parameters {@code first} to
     * {@code first + 6}, added by {@link #addDrafts}. {@code from} is what the rows are joined with, so a caller can
     * make the insert conditional (no row in it, no movement). The caller must NOTIFY {@link #CHANNEL} when rows were
     * created (delivered at commit), so a sale is picked up without waiting for the worker's next poll.
     */
    public static String insertCte(String integration, String event, String from, int first) {
        return """
                mv AS (
                  INSERT INTO inventory_movements_queue
                      (store_id, integration_id, webhook_event_id, sku, kind, quantity, business_key, order_id, order_name,
                       storefront_location_id)
                  SELECT $1, %1$s, %2$s, d.sku, d.kind, d.quantity, d.business_key, d.order_id, d.order_name, d.location_id
                  FROM %3$s, unnest($%4$d::text[], $%5$d::text[], $%6$d::int[], $%7$d::text[], $%8$d::text[], $%9$d::text[],
                                    $%10$d::text[])
                       AS d(sku, kind, quantity, business_key, order_id, order_name, location_id)
                  -- A purged DONE movement was booked all the same (see MovementRepository.purgeDoneBatch).
                  -- OFFSET 0 keeps this a look-up per draft: as an anti-join, a generic plan hashed all of the
                  -- store's purged keys on every delivery.
                  WHERE NOT EXISTS (SELECT 1 FROM inventory_movements_purged_keys k
                                    WHERE k.store_id = $1 AND k.business_key = d.business_key OFFSET 0)
                  ON CONFLICT (store_id, business_key) DO NOTHING
                  RETURNING id)""".formatted(integration, event, from, first, first + 1, first + 2, first + 3,
                first + 4, first + 5, first + 6);
    }

    /**
     * The webhook event that booked business key {@code keyExpr} in store {@code $1}, or NULL when no movement holds
     * that key (never booked, or booked and purged).
     */
    public static String eventOfKey(String keyExpr) {
        return "(SELECT m.webhook_event_id FROM inventory_movements_queue m WHERE m.store_id = $1 AND m.business_key = "
                + keyExpr + ")";
    }

    /** Units booked in store {@code $1} under business keys starting with {@code prefixExpr} (purged ones not counted). */
    public static String unitsUnderKeyPrefix(String prefixExpr) {
        return "(SELECT coalesce(sum(m.quantity), 0) FROM inventory_movements_queue m WHERE m.store_id = $1"
                + " AND starts_with(m.business_key, " + prefixExpr + "))";
    }

    /** The webhook events of the movements of store {@code $1} whose business keys start with {@code prefixExpr}. */
    public static String eventsUnderKeyPrefix(String prefixExpr) {
        return "(SELECT m.webhook_event_id FROM inventory_movements_queue m WHERE m.store_id = $1"
                + " AND starts_with(m.business_key, " + prefixExpr + "))";
    }

    /**
     * A boolean SQL expression: some movement (in any state) still points at the webhook event {@code eventIdExpr}, so
     * the event must stay (an open or DEAD movement keeps the delivery it came from).
     */
    public static String pointsAtEvent(String eventIdExpr) {
        return "EXISTS (SELECT 1 FROM inventory_movements_queue m WHERE m.webhook_event_id = " + eventIdExpr + ")";
    }

    /**
     * The open part of store {@code $1}'s queue, one row per SKU, for the status table: {@code pending} (waiting or
     * being pushed), {@code dead}, {@code reserved} (units of DEAD sales Contifico has not booked), {@code dead_error},
     * {@code oldest_open} and {@code open_error}. Dismissed DEAD movements are settled: they neither flag the SKU nor
     * keep units off sale. Only the open part is read, which stays small however long the history.
     */
    public static final String OPEN_BY_SKU = openBySku("");

    /**
     * {@link #OPEN_BY_SKU} for the SKUs of {@code skus} only (a {@code text[]} expression): index look-ups for the
     * status snapshot's patch, which re-reads a few changed SKUs rather than the store's whole open part.
     */
    public static String openBySkuAmong(String skus) {
        return openBySku(" AND sku = ANY(" + skus + ")");
    }

    private static String openBySku(String andSkus) {
        return """
                SELECT sku,
                       count(*) FILTER (WHERE status IN ('PENDING', 'IN_PROGRESS')) AS pending,
                       count(*) FILTER (WHERE status = 'DEAD') AS dead,
                       coalesce(sum(CASE kind WHEN 'SALE' THEN quantity ELSE -quantity END)
                                FILTER (WHERE status = 'DEAD' AND contifico_movement_id IS NULL), 0) AS reserved,
                       (array_agg(last_error ORDER BY id DESC) FILTER (WHERE status = 'DEAD'))[1] AS dead_error,
                       min(created_at) FILTER (WHERE status IN ('PENDING', 'IN_PROGRESS')) AS oldest_open,
                       (array_agg(last_error ORDER BY id DESC) FILTER (WHERE status IN ('PENDING', 'IN_PROGRESS')
                                                                       AND last_error IS NOT NULL))[1] AS open_error
                FROM inventory_movements_queue
                WHERE store_id = $1 AND status <> 'DONE' AND dismissed_at IS NULL%s
                GROUP BY sku""".formatted(andSkus);
    }

    /** The seven arrays {@link #insertCte} reads, in its order. */
    public static Tuple addDrafts(Tuple args, List<MovementDraft> drafts) {
        int n = drafts.size();
        String[] skus = new String[n];
        String[] kinds = new String[n];
        Integer[] quantities = new Integer[n];
        String[] keys = new String[n];
        String[] orderIds = new String[n];
        String[] orderNames = new String[n];
        String[] locations = new String[n];
        for (int i = 0; i < n; i++) {
            MovementDraft d = drafts.get(i);
            skus[i] = d.sku();
            kinds[i] = d.kind().name();
            quantities[i] = d.quantity();
            keys[i] = d.businessKey();
            orderIds[i] = d.orderId();
            orderNames[i] = d.orderName();
            locations[i] = d.locationId();
        }
        return args.addArrayOfString(skus).addArrayOfString(kinds).addArrayOfInteger(quantities)
                .addArrayOfString(keys).addArrayOfString(orderIds).addArrayOfString(orderNames)
                .addArrayOfString(locations);
    }
}
