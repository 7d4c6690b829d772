package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Writes {@code sync_logs}: one row per SKU per pull, the source of the status table's Contifico figure and badge. */
@ApplicationScoped
public class SyncLogs {

    @Inject
    Pool pool;

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
}
