package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/** Writes {@code sync_logs}: one row per SKU per pull, the source of the status table's Contifico figure and badge. */
@ApplicationScoped
public class SyncLogs {

    /**
     * Store {@code $1}'s newest log row per SKU ({@code sku, trigger, action, error, created_at}), from
     * {@code sync_status_latest}, which a trigger on {@code sync_logs} keeps (V10): a fragment for the status page's
     * single statement, which joins it with the cache and the queue without a per-SKU look-up.
     */
    public static final String LATEST_BY_SKU =
            "SELECT sku, trigger, action, error, created_at FROM sync_status_latest WHERE store_id = $1";

    /**
     * {@link #LATEST_BY_SKU} for the SKUs of {@code skus} only (a {@code text[]} expression): a primary-key look-up per
     * SKU, kept apart by {@code OFFSET 0} so that a generic plan cannot read the store's rows and filter the SKUs.
     */
    public static String latestBySkuAmong(String skus) {
        return "SELECT l.sku, l.trigger, l.action, l.error, l.created_at FROM unnest(" + skus + ") k(sku)"
                + " CROSS JOIN LATERAL (" + LATEST_BY_SKU + " AND sku = k.sku OFFSET 0) l";
    }

    @Inject
    Pool pool;

    /**
     * Deletes up to {@code limit} rows older than {@code olderThan}. The status table does not need them:
     * {@code sync_status_latest} keeps its own copy of each SKU's newest row (V10).
     */
    public Uni<Integer> purgeBatch(Duration olderThan, int limit) {
        return pool.preparedQuery("""
                        DELETE FROM sync_logs
                        WHERE id IN (SELECT id FROM sync_logs WHERE created_at < now() - make_interval(secs => $1)
                                     LIMIT $2 FOR UPDATE SKIP LOCKED)""")
                .execute(Tuple.of(olderThan.toMillis() / 1000.0, limit))
                .map(RowSet::rowCount);
    }

    public Uni<Void> write(long storeId, Long integrationId, Long pullRunId, Long movementId, SyncTrigger trigger,
                           SkuPullResult r) {
        return pool.preparedQuery("""
                        INSERT INTO sync_logs (store_id, integration_id, pull_run_id, movement_id, sku, trigger, action,
                                               contifico_stock, store_stock_before, store_stock_after, error)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")
                .execute(Tuple.from(new Object[]{storeId, integrationId, pullRunId, movementId, r.sku(), trigger.name(),
                        r.action().name(), r.contificoStock(), r.storeStockBefore(), r.storeStockAfter(), r.error()}))
                .replaceWithVoid();
    }

    /** One statement for a whole pull: a full pull of thousands of SKUs must not cost thousands of round trips. */
    public Uni<Void> writeAll(long storeId, Long integrationId, Long pullRunId, SyncTrigger trigger,
                              List<SkuPullResult> results) {
        if (results.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = results.size();
        String[] skus = new String[n];
        String[] actions = new String[n];
        BigDecimal[] erp = new BigDecimal[n];
        Integer[] before = new Integer[n];
        Integer[] after = new Integer[n];
        String[] errors = new String[n];
        for (int i = 0; i < n; i++) {
            SkuPullResult r = results.get(i);
            skus[i] = r.sku();
            actions[i] = r.action().name();
            erp[i] = r.contificoStock();
            before[i] = r.storeStockBefore();
            after[i] = r.storeStockAfter();
            errors[i] = r.error();
        }
        return pool.preparedQuery("""
                        INSERT INTO sync_logs (store_id, integration_id, pull_run_id, sku, trigger, action, contifico_stock,
                                               store_stock_before, store_stock_after, error)
                        SELECT $1, $2, $3, r.sku, $4, r.action, r.erp, r.before, r.after, r.error
                        FROM unnest($5::text[], $6::text[], $7::numeric[], $8::int[], $9::int[], $10::text[])
                             AS r(sku, action, erp, before, after, error)""")
                .execute(Tuple.from(new Object[]{storeId, integrationId, pullRunId, trigger.name(), skus, actions, erp,
                        before, after, errors}))
                .replaceWithVoid();
    }

    /** A page of the log and the count of all rows matching (for the history endpoint). */
    public record LogPage(List<SyncHistoryResource.SyncLog> items, long total) {
    }

    /** The log newest first, filtered by store and SKU when given (null matches all). */
    public Uni<LogPage> page(Long storeId, String sku, int limit, long offset) {
        // Null filters match everything; the planner keeps the (store_id, sku, created_at) index for the usual case.
        String filter = " WHERE ($1::bigint IS NULL OR store_id = $1) AND ($2::text IS NULL OR sku = $2)";
        Uni<List<SyncHistoryResource.SyncLog>> items = pool.preparedQuery("SELECT * FROM sync_logs" + filter
                        + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4")
                .execute(Tuple.of(storeId, sku, limit, offset))
                .map(rows -> {
                    List<SyncHistoryResource.SyncLog> out = new java.util.ArrayList<>();
                    for (io.vertx.mutiny.sqlclient.Row r : rows) {
                        out.add(new SyncHistoryResource.SyncLog(r.getLong("id"), r.getLong("store_id"), r.getString("sku"),
                                r.getString("trigger"), r.getString("action"), r.getBigDecimal("contifico_stock"),
                                r.getInteger("store_stock_before"), r.getInteger("store_stock_after"),
                                r.getString("error"), r.getLong("pull_run_id"), r.getLong("movement_id"),
                                r.getOffsetDateTime("created_at")));
                    }
                    return out;
                });
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM sync_logs" + filter)
                .execute(Tuple.of(storeId, sku)).map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new LogPage(t.getItem1(), t.getItem2()));
    }
}
