package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;

/**
 * An operator's links of storefront SKUs to Contifico products, which {@link ContificoProductResolver} reads before its
 * cache and before a search by code. Implemented by the package that owns the table ({@code sync}), like
 * {@link ProductIdCache}: this package keeps no table and does not depend on that one.
 */
public interface ProductLinks {

    /**
     * The SKU's link in use, or null when it has none (a stale link, made for another Contifico company, is none).
     */
    Uni<Link> link(long storeId, String sku);

    /** The storefront SKU linked by hand to the product (a link in use), or null. */
    Uni<String> linkedSku(long storeId, String productId);

    /**
     * A link in use: {@code productId} is the Contifico product to book and read; or the SKU is not synced at all
     * ({@code notSynced}, no product).
     */
    record Link(String productId, String code, String name, boolean notSynced) {
    }
}
