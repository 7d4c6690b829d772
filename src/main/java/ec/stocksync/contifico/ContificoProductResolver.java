package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SKU → Contifico product id, cached through {@link ProductIdCache} (the stock cache): the v1 search by code costs a call
 * (and up to 11 s on big tenants), so with the id cached a push or a stock read is one Contifico call, not two.
 */
@ApplicationScoped
public class ContificoProductResolver {

    @Inject
    ProductIdCache cache;
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
        return cache.cachedProductId(storeId, sku);
    }

    /**
     * Drops the mapping, e.g. when Contifico answers that the cached id no longer exists or the integration changed:
     * the next resolve searches again.
     */
    public Uni<Void> forget(long storeId, String sku) {
        return cache.forgetProductId(storeId, sku);
    }

    private Uni<Void> remember(long storeId, String sku, ContificoProduct p) {
        return cache.rememberProductId(storeId, sku, p.nombre(), p.id());
    }
}
