package ec.stocksync.store;

import ec.stocksync.common.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Loads a store and its integration with the plain reactive client: the worker runs outside any request, where a
 * Hibernate Reactive session would only add ceremony. The entities returned are detached snapshots.
 */
@ApplicationScoped
public class StoreContexts {

    @Inject
    Pool pool;
    @Inject
    SecretBox secrets;

    /**
     * The store with the given integration if it is still active, else the store's active integration (credentials
     * may have been replaced since the movement was queued). Fails with 409 {@code no_integration} when there is none.
     */
    public Uni<StoreContext> load(long storeId, Long integrationId) {
        return pool.preparedQuery("""
                        SELECT s.*, i.id AS i_id, i.provider, i.base_url, i.api_key, i.pos_token, i.warehouse_id
                        FROM stores s
                        LEFT JOIN LATERAL (SELECT * FROM store_integrations i
                                           WHERE i.store_id = s.id AND i.active
                                           ORDER BY (i.id = $2) DESC LIMIT 1) i ON TRUE
                        WHERE s.id = $1""")
                .execute(Tuple.of(storeId, integrationId == null ? -1L : integrationId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw ApiException.storeNotFound(storeId);
                    }
                    Row r = rows.iterator().next();
                    if (r.getLong("i_id") == null) {
                        throw ApiException.conflict("no_integration", "Store " + storeId
                                + " has no active Contifico integration: add one with POST /api/stores/" + storeId
                                + "/integrations.");
                    }
                    return new StoreContext(store(r), integration(r));
                });
    }

    /**
     * A detached store from a {@code stores} row ({@code SELECT s.*}), its API credentials decrypted; webhook secrets
     * are not read.
     */
    public Store store(Row r) {
        Store s = new Store();
        s.id = r.getLong("id");
        s.name = r.getString("name");
        s.platform = r.getString("platform");
        s.shopDomain = r.getString("shop_domain");
        s.siteUrl = r.getString("site_url");
        s.apiBaseUrl = r.getString("api_base_url");
        s.accessToken = secrets.open(r.getString("access_token"));
        s.consumerKey = secrets.open(r.getString("consumer_key"));
        s.consumerSecret = secrets.open(r.getString("consumer_secret"));
        s.locationId = r.getString("location_id");
        s.processTestOrders = r.getBoolean("process_test_orders");
        s.refundsRestock = r.getBoolean("refunds_restock");
        s.scheduledPullEnabled = r.getBoolean("scheduled_pull_enabled");
        s.syncUnmanagedStock = r.getBoolean("sync_unmanaged_stock");
        s.keepRawPayloads = r.getBoolean("keep_raw_payloads");
        s.active = r.getBoolean("active");
        s.createdAt = r.getOffsetDateTime("created_at");
        s.updatedAt = r.getOffsetDateTime("updated_at");
        return s;
    }

    StoreIntegration integration(Row r) {
        StoreIntegration i = new StoreIntegration();
        i.id = r.getLong("i_id");
        i.storeId = r.getLong("id");
        i.provider = r.getString("provider");
        i.baseUrl = r.getString("base_url");
        i.apiKey = secrets.open(r.getString("api_key"));
        i.posToken = secrets.open(r.getString("pos_token"));
        i.warehouseId = r.getString("warehouse_id");
        i.active = true;
        return i;
    }
}
