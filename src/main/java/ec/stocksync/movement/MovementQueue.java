package ec.stocksync.movement;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Writes to {@code inventory_movements_queue}. */
@ApplicationScoped
public class MovementQueue {

    /** The channel the worker LISTENs on; the payload is the store id. */
    public static final String CHANNEL = "inventory_movements";

    private static final String INSERT = """
            INSERT INTO inventory_movements_queue
                (store_id, integration_id, webhook_event_id, sku, kind, quantity, business_key, order_id, order_name)
            SELECT $1, $2::bigint, $3::bigint, d.sku, d.kind, d.quantity, d.business_key, d.order_id, d.order_name
            FROM unnest($4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[])
                 AS d(sku, kind, quantity, business_key, order_id, order_name)
            -- A purged DONE movement was booked all the same (see MovementRepository.purgeDoneBatch).
            WHERE NOT EXISTS (SELECT 1 FROM inventory_movements_purged_keys k
                              WHERE k.store_id = $1 AND k.business_key = d.business_key)
            ON CONFLICT (store_id, business_key) DO NOTHING
            RETURNING id
            """;

    /**
     * Queues the drafts as PENDING in the caller's transaction; a draft whose business key is already queued (or was,
     * and has been purged since) is skipped. Notifies the worker (delivered at commit), so a sale is picked up without waiting for the next poll.
     *
     * @return how many movements were actually created
     */
    public Uni<Integer> enqueue(SqlConnection tx, long storeId, Long integrationId, Long webhookEventId,
                                List<MovementDraft> drafts) {
        if (drafts.isEmpty()) {
            return Uni.createFrom().item(0);
        }
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
        Tuple args = Tuple.tuple().addLong(storeId).addLong(integrationId).addLong(webhookEventId)
                .addArrayOfString(skus).addArrayOfString(kinds).addArrayOfInteger(quantities)
                .addArrayOfString(keys).addArrayOfString(orderIds).addArrayOfString(orderNames);
        return tx.preparedQuery(INSERT).execute(args)
                .map(rows -> rows.rowCount())
                .call(created -> created > 0
                        ? tx.preparedQuery("SELECT pg_notify('" + CHANNEL + "', $1)").execute(Tuple.of(String.valueOf(storeId)))
                        : Uni.createFrom().voidItem());
    }
}
