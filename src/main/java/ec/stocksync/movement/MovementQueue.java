package ec.stocksync.movement;

import io.vertx.mutiny.sqlclient.Tuple;

import java.util.List;

/**
 * Writes to {@code inventory_movements_queue}. The insert is handed out as a CTE for the webhook ingest to put in its
 * own single statement (one round trip per delivery instead of one per step, issue 15); the rules stay here.
 */
public final class MovementQueue {

    /** The channel the worker LISTENs on; the payload is the store id. */
    public static final String CHANNEL = "inventory_movements";

    private MovementQueue() {
    }

    /**
     * A CTE named {@code mv} that queues the drafts as PENDING and returns one row per movement created. A draft whose
     * business key is already queued (or was, and has been purged since) is skipped. {@code $1} must be the store id;
     * {@code integration} and {@code event} are SQL expressions; the six draft arrays are parameters {@code first} to
     * {@code first + 5}, added by {@link #addDrafts}. {@code from} is what the rows are joined with, so a caller can
     * make the insert conditional (no row in it, no movement). The caller must NOTIFY {@link #CHANNEL} when rows were
     * created (delivered at commit), so a sale is picked up without waiting for the worker's next poll.
     */
    public static String insertCte(String integration, String event, String from, int first) {
        return """
                mv AS (
                  INSERT INTO inventory_movements_queue
                      (store_id, integration_id, webhook_event_id, sku, kind, quantity, business_key, order_id, order_name)
                  SELECT $1, %1$s, %2$s, d.sku, d.kind, d.quantity, d.business_key, d.order_id, d.order_name
                  FROM %3$s, unnest($%4$d::text[], $%5$d::text[], $%6$d::int[], $%7$d::text[], $%8$d::text[], $%9$d::text[])
                       AS d(sku, kind, quantity, business_key, order_id, order_name)
                  -- A purged DONE movement was booked all the same (see MovementRepository.purgeDoneBatch).
                  WHERE NOT EXISTS (SELECT 1 FROM inventory_movements_purged_keys k
                                    WHERE k.store_id = $1 AND k.business_key = d.business_key)
                  ON CONFLICT (store_id, business_key) DO NOTHING
                  RETURNING id)""".formatted(integration, event, from, first, first + 1, first + 2, first + 3,
                first + 4, first + 5);
    }

    /** The six arrays {@link #insertCte} reads, in its order. */
    public static Tuple addDrafts(Tuple args, List<MovementDraft> drafts) {
        int n = drafts.size();
        String[] skus = new String[n];
        String[] kinds = new String[n];
        Integer[] quantities = new Integer[n];
        String[] keys = new String[n];
        String[] orderIds = new String[n];
        String[] orderNames = new String[n];
        for (int i = 0; i < n; i++) {
            MovementDraft d = drafts.get(i);
            skus[i] = d.sku();
            kinds[i] = d.kind().name();
            quantities[i] = d.quantity();
            keys[i] = d.businessKey();
            orderIds[i] = d.orderId();
            orderNames[i] = d.orderName();
        }
        return args.addArrayOfString(skus).addArrayOfString(kinds).addArrayOfInteger(quantities)
                .addArrayOfString(keys).addArrayOfString(orderIds).addArrayOfString(orderNames);
    }
}
