package ec.stocksync.sync;

import ec.stocksync.store.IntegrationChangeListener;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Forgets what an integration change made stale, in the registry's own transaction (the current Panache session) so
 * that it commits with the change or not at all. These are the only statements on {@code stock_cache},
 * {@code sku_links} and {@code pull_baselines} that go through Hibernate rather than the reactive client, for that reason.
 */
@ApplicationScoped
public class IntegrationChangeCleanup implements IntegrationChangeListener {

    /**
     * Product ids belong to one Contifico company: the SKU mapping is resolved afresh (one search per SKU, on its next
     * push or pull). An operator's links to products turn stale: kept, so the operator sees what they were, but not
     * used (the SKU is matched by code like any other) until the operator confirms them again. "Not synced" marks name
     * no product and stand.
     */
    @Override
    public Uni<Void> companyMayHaveChanged(long storeId) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("UPDATE stock_cache SET contifico_product_id = NULL, updated_at = now() WHERE store_id = :store")
                .setParameter("store", storeId)
                .executeUpdate()
                .chain(() -> session.createNativeQuery("UPDATE sku_links SET stale = TRUE, updated_at = now()"
                                + " WHERE store_id = :store AND contifico_product_id IS NOT NULL AND NOT stale")
                        .setParameter("store", storeId)
                        .executeUpdate()))
                .replaceWithVoid();
    }

    /** The next delta pull reads every SKU and starts a new baseline. */
    @Override
    public Uni<Void> warehouseMayHaveChanged(long storeId) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("DELETE FROM pull_baselines WHERE store_id = :store")
                .setParameter("store", storeId)
                .executeUpdate())
                .replaceWithVoid();
    }
}
