package ec.stocksync.sandbox.demo;

import ec.stocksync.sandbox.SandboxOnly;
import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.store.SecretBox;
import ec.stocksync.sync.SkuPullResult;
import ec.stocksync.sync.SyncOptions;
import ec.stocksync.sync.SyncService;
import ec.stocksync.sync.SyncTrigger;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The one-command demo, on when {@code sandbox.seed-demo} is (dev): a Shopify store wired to the in-app Shopify
 * simulator and to the Contifico sandbox, with the demo SKUs pulled once so the dashboard has figures from the first
 * load. Idempotent across restarts: the store is found by its shop domain, and its API base URL is rewritten because
 * the simulator listens on a new random port every start.
 */
@ApplicationScoped
@SandboxOnly
public class DemoSetup {

    private static final Logger LOG = Logger.getLogger(DemoSetup.class);

    static final String SHOP_DOMAIN = "stocksync-demo.myshopify.com";
    static final String WEBHOOK_SECRET = "demo-webhook-secret";
    static final String WAREHOUSE_ID = "nRMdROzqhvDZel6Y";
    static final List<String> DEMO_SKUS = List.of("PT-0002-50ml", "PT-0001-30ml", "CAM-001-M", "NEG-0005");

    @Inject
    Pool pool;
    @Inject
    ContificoSandbox contifico;
    @Inject
    ShopifySimulator shopify;
    @Inject
    SyncService sync;
    @Inject
    SecretBox secrets;
    /** On in dev; tests wire their own stores. */
    @ConfigProperty(name = "sandbox.seed-demo", defaultValue = "false")
    boolean demo;

    /** The simulators start in their own start-up observers (default priority); this one runs after them. */
    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.LIBRARY_AFTER + 100) StartupEvent event) {
        if (!demo) {
            return;
        }
        // Nothing here may hold up start-up: the pull talks HTTP to the simulators of this very process.
        ensureStoreAndIntegration()
                .call(storeId -> sync.pullFromIntegrationSelective(storeId, null, DEMO_SKUS,
                        new SyncOptions(false, null, true), SyncTrigger.SCHEDULED))
                .subscribe().with(
                        storeId -> LOG.infof("Demo ready: dashboard http://localhost:%s/ (admin token dev-admin-token), "
                                        + "store %d wired to the Shopify simulator and the Contifico sandbox; "
                                        + "'Simular venta' on the dashboard or POST /api/demo/sale posts a signed sale.",
                                ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080),
                                storeId),
                        e -> LOG.errorf(e, "Demo set-up failed; the dashboard may be empty"));
    }

    Uni<Long> ensureStoreAndIntegration() {
        ShopifySimulator sim = shopify;
        String contificoUrl = contifico.simulator().baseUrl();
        String contificoKey = contifico.simulator().apiKey();
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        SELECT id FROM stores WHERE shop_domain = $1 AND platform = 'shopify' ORDER BY id LIMIT 1
                        FOR UPDATE""")
                .execute(Tuple.of(SHOP_DOMAIN))
                .chain(rows -> rows.iterator().hasNext()
                        ? conn.preparedQuery("""
                                UPDATE stores SET api_base_url = $2, access_token = $3, location_id = $4,
                                       webhook_secret = $5, active = TRUE, updated_at = now()
                                WHERE id = $1 RETURNING id""")
                        .execute(Tuple.of(rows.iterator().next().getLong("id"), sim.baseUrl(),
                                secrets.seal(sim.accessToken()), sim.locationId(), secrets.seal(WEBHOOK_SECRET)))
                        : conn.preparedQuery("""
                                INSERT INTO stores (name, platform, shop_domain, api_base_url, access_token, location_id,
                                                    webhook_secret)
                                VALUES ('Tienda demo (simulador Shopify)', 'shopify', $1, $2, $3, $4, $5) RETURNING id""")
                        .execute(Tuple.of(SHOP_DOMAIN, sim.baseUrl(), secrets.seal(sim.accessToken()), sim.locationId(),
                                secrets.seal(WEBHOOK_SECRET))))
                .map(rows -> rows.iterator().next().getLong("id"))
                .call(storeId -> conn.preparedQuery("""
                                UPDATE store_integrations SET base_url = $2, api_key = $3, warehouse_id = $4,
                                       updated_at = now()
                                WHERE store_id = $1 AND active""")
                        .execute(Tuple.of(storeId, contificoUrl, secrets.seal(contificoKey), WAREHOUSE_ID))
                        .chain(updated -> updated.rowCount() > 0 ? Uni.createFrom().voidItem()
                                : conn.preparedQuery("""
                                        INSERT INTO store_integrations (store_id, provider, base_url, api_key, warehouse_id)
                                        VALUES ($1, 'contifico', $2, $3, $4)""")
                                .execute(Tuple.of(storeId, contificoUrl, secrets.seal(contificoKey), WAREHOUSE_ID))
                                .replaceWithVoid())));
    }

    /**
     * Both simulators back to the demo catalogue, then a pull of the demo store, so the status table shows the fresh
     * figures at once instead of the old ones until some later pull. The pull is forced: a reset may take SKUs to 0
     * on purpose, which the zeroing guard would otherwise stop.
     */
    public Uni<List<SkuPullResult>> reset() {
        contifico.simulator().reset();
        contifico.simulator().seedDemo();
        shopify.reset();
        shopify.seedDemo();
        return ensureStoreAndIntegration().chain(storeId -> sync.pullFromIntegrationSelective(storeId, null, DEMO_SKUS,
                new SyncOptions(false, null, true, true), SyncTrigger.MANUAL));
    }

    /** The demo store's id, or null outside dev mode or before it was created. */
    public Uni<Long> demoStoreId() {
        return pool.preparedQuery("SELECT id FROM stores WHERE shop_domain = $1 AND platform = 'shopify' ORDER BY id LIMIT 1")
                .execute(Tuple.of(SHOP_DOMAIN))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong("id") : null);
    }
}
