package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * SKU → Contifico product id. An operator's link ({@link ProductLinks}) comes first: it names the product, or says the
 * SKU is not synced ({@link SkuNotSynced}, no call made). Then the cache ({@link ProductIdCache}, the stock cache): the v1
 * search by code costs a call (and up to 11 s on big tenants), so with the id cached a push or a stock read is one
 * Contifico call, not two. Last, the search by {@code codigo} = SKU. A link's id is also written to the cache (the delta
 * pulls map product ids back to SKUs there); forgetting the cache never loses a link: the next resolve re-fills it.
 */
@ApplicationScoped
public class ContificoProductResolver {

    @Inject
    ProductIdCache cache;
    @Inject
    ContificoClient client;
    @Inject
    ProductLinks links;

    /** The product id, from the cache or (on a miss) from Contifico, then remembered. Fails like findProductBySku. */
    public Uni<String> productId(long storeId, ContificoConnection connection, String sku) {
        return links.link(storeId, sku).chain(link -> {
            if (link == null) {
                return unlinked(storeId, connection, sku);
            }
            if (link.notSynced()) {
                return Uni.createFrom().failure(new SkuNotSynced(sku));
            }
            return cachedProductId(storeId, sku).chain(cached -> link.productId().equals(cached)
                    ? Uni.createFrom().item(cached)
                    : cache.rememberProductId(storeId, sku, link.name(), link.productId()).replaceWith(link.productId()));
        });
    }

    private Uni<String> unlinked(long storeId, ContificoConnection connection, String sku) {
        return cachedProductId(storeId, sku).chain(cached -> cached != null
                ? Uni.createFrom().item(cached)
                : client.findProductBySku(connection, sku)
                        // A product linked by hand to another SKU is that SKU's: two SKUs never book one product.
                        .call(p -> links.linkedSku(storeId, p.id()).invoke(other -> {
                            if (other != null && !other.equals(sku)) {
                                throw ContificoException.NotFound.linkedElsewhere(sku, p.id(), other);
                            }
                        }))
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
