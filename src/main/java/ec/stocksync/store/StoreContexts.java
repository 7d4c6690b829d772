package ec.stocksync.store;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.PlannedOnce;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reactive side of {@code stores} and {@code store_integrations}: every read other packages make of them goes
 * through here (the admin CRUD goes through the Panache entities in {@link StoreService}). The worker, the webhooks and
 * the pulls run outside any request, where a Hibernate Reactive session would only add ceremony. The entities returned
 * are detached snapshots.
 *
 * <p>Statements that must stay one round trip and read another package's table as well embed the SQL fragments
 * published here (the {@code static} members), so the text that names these tables stays in this class.
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
                        SELECT s.*, i.id AS i_id, i.provider, i.base_url, i.api_key, i.pos_token, i.warehouse_id,
                               i.updated_at AS i_updated_at
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
     * Active stores with an active integration that did not opt out of scheduled pulls, as a subquery with the columns
     * {@code id} and {@code integration_since} (when the oldest active integration was created), for a statement that
     * joins them with its own table in one round trip (the freshness gauge).
     */
    public static final String SCHEDULED_PULL_STORES = """
            SELECT s.id, (SELECT min(i.created_at) FROM store_integrations i
                          WHERE i.store_id = s.id AND i.active) AS integration_since
            FROM stores s
            WHERE s.active AND s.scheduled_pull_enabled
              AND EXISTS (SELECT 1 FROM store_integrations i WHERE i.store_id = s.id AND i.active)""";

    /** The ids of {@link #SCHEDULED_PULL_STORES}, in order. */
    public Uni<List<Long>> scheduledPullStoreIds() {
        return pool.query("SELECT id FROM (" + SCHEDULED_PULL_STORES + ") s ORDER BY id").execute().map(StoreContexts::ids);
    }

    /** Every active store's id, in order. */
    public Uni<List<Long>> activeStoreIds() {
        return pool.query("SELECT id FROM stores WHERE active ORDER BY id").execute().map(StoreContexts::ids);
    }

    /** The one active store, for callers that leave the store out; null when there are none or several. */
    public Uni<Long> onlyActiveStoreId() {
        return pool.query("SELECT id FROM stores WHERE active ORDER BY id LIMIT 2").execute()
                .map(rows -> rows.size() == 1 ? rows.iterator().next().getLong("id") : null);
    }

    public Uni<Boolean> exists(long storeId) {
        return pool.preparedQuery("SELECT " + storeExists("$1")).execute(Tuple.of(storeId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** A boolean SQL expression: a store with the id {@code idExpr} exists (active or not). */
    public static String storeExists(String idExpr) {
        return "EXISTS (SELECT 1 FROM stores WHERE id = " + idExpr + ")";
    }

    /** A SQL expression: the integration {@code idExpr}'s version ({@code updated_at}), null if there is none. */
    public static String integrationVersion(String idExpr) {
        return "(SELECT updated_at FROM store_integrations WHERE id = " + idExpr + ")";
    }

    /**
     * A boolean SQL expression: the integration {@code idExpr} is still active and at the version {@code versionExpr}
     * (see {@link #integrationVersion}), i.e. nobody changed its warehouse, URL or key since it was read.
     */
    public static String integrationUnchanged(String idExpr, String versionExpr) {
        return "EXISTS (SELECT 1 FROM store_integrations WHERE id = " + idExpr
                + " AND active AND updated_at IS NOT DISTINCT FROM " + versionExpr + ")";
    }

    /**
     * The store, active or not, with its active integration's id (null when it has none), for work that books on
     * behalf of a store without calling Contifico itself (the reconciliation); empty when no store has this id.
     */
    public Uni<Optional<StoreWithIntegrationId>> storeWithIntegrationId(long storeId) {
        return pool.preparedQuery("""
                        SELECT s.*, (SELECT i.id FROM store_integrations i WHERE i.store_id = s.id AND i.active) AS i_id
                        FROM stores s WHERE s.id = $1""")
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new StoreWithIntegrationId(store(r), r.getLong("i_id")));
                });
    }

    public record StoreWithIntegrationId(Store store, Long integrationId) {
    }

    /**
     * What a webhook delivery needs to know about its store, in one query per delivery. Public so the ingest benchmark
     * runs the same SQL through pgbench.
     */
    public static final String WEBHOOK_SETTINGS = PlannedOnce.cached("""
            SELECT s.id, s.platform, s.active, s.webhook_secret, s.previous_webhook_secret,
                   s.process_test_orders, s.refunds_restock, s.shop_domain, s.site_url,
                   s.keep_raw_payloads,
                   (SELECT i.id FROM store_integrations i WHERE i.store_id = s.id AND i.active) AS integration_id
            FROM stores s WHERE s.id = $1""");

    /** A store's webhook settings, secrets decrypted; empty when no store has this id. */
    public Uni<Optional<WebhookSettings>> webhookSettings(long storeId) {
        return pool.preparedQuery(WEBHOOK_SETTINGS)
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new WebhookSettings(r.getLong("id"), r.getString("platform"), r.getBoolean("active"),
                            secrets.open(r.getString("webhook_secret")), secrets.open(r.getString("previous_webhook_secret")),
                            r.getBoolean("process_test_orders"), r.getBoolean("refunds_restock"), r.getString("shop_domain"),
                            r.getString("site_url"), r.getBoolean("keep_raw_payloads"), r.getLong("integration_id")));
                });
    }

    /** See {@link #webhookSettings}; {@code platform} is the stored code ({@link Platform#code()}). */
    public record WebhookSettings(long id, String platform, boolean active, String webhookSecret,
                                  String previousWebhookSecret, boolean processTestOrders, boolean refundsRestock,
                                  String shopDomain, String siteUrl, boolean keepRawPayloads, Long integrationId) {
    }

    private static List<Long> ids(Iterable<Row> rows) {
        List<Long> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getLong(0)));
        return ids;
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
        // The version (see integrationVersion): what was checked against this integration can be re-checked later.
        i.updatedAt = r.getOffsetDateTime("i_updated_at");
        i.active = true;
        return i;
    }
}
