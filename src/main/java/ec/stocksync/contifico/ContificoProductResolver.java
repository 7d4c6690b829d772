package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SKU → Contifico product id, cached in {@code stock_cache.contifico_product_id}: the v1 search by code costs a call
 * (and up to 11 s on big tenants), so with the id cached a push or a stock read is one Contifico call, not two.
 */
@ApplicationScoped
public class ContificoProductResolver {

    @Inject
    Pool pool;
    @Inject
    ContificoClient client;

    /** The product id, from the cache or (on a miss) from Contifico, then remembered. Fails like findProductBySku. */
    public Uni<String> productId(long storeId, ContificoConnection connection, String sku) {
        return cachedProductId(storeId, sku).chain(cached -> cached != null
                ? Uni.createFrom().item(cached)
                : client.findProductBySku(connection, sku)
                        .call(p -> remember(storeId, sku, p))
                        .map(ContificoProduct::id));
    }

    /** The cached id or null; no Contifico call. */
    public Uni<String> cachedProductId(long storeId, String sku) {
        return pool.preparedQuery("SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = $2")
                .execute(Tuple.of(storeId, sku))
                .map(ContificoProductResolver::firstId);
    }

    /**
     * Drops the mapping, e.g. when Contifico answers that the cached id no longer exists or the integration changed:
     * the next resolve searches again.
     */
    public Uni<Void> forget(long storeId, String sku) {
        return pool.preparedQuery("UPDATE stock_cache SET contifico_product_id = NULL, updated_at = now() "
                        + "WHERE store_id = $1 AND sku = $2")
                .execute(Tuple.of(storeId, sku))
                .replaceWithVoid();
    }

    private Uni<Void> remember(long storeId, String sku, ContificoProduct p) {
        // The row may already exist for the storefront side (stock, ids): only the Contifico id is ours to set;
        // the name is filled only if nobody set one.
        return pool.preparedQuery("INSERT INTO stock_cache (store_id, sku, name, contifico_product_id) VALUES ($1, $2, $3, $4) "
                        + "ON CONFLICT (store_id, sku) DO UPDATE SET contifico_product_id = EXCLUDED.contifico_product_id, "
                        + "name = COALESCE(stock_cache.name, EXCLUDED.name), updated_at = now()")
                .execute(Tuple.of(storeId, sku, p.nombre(), p.id()))
                .replaceWithVoid();
    }

    private static String firstId(RowSet<Row> rows) {
        for (Row r : rows) {
            return r.getString(0);
        }
        return null;
    }
}
