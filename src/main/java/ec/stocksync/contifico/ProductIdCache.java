package ec.stocksync.contifico;

import io.smallrye.mutiny.Uni;

/**
 * Where {@link ContificoProductResolver} remembers SKU → Contifico product id. Implemented by the package that owns the
 * stock cache ({@code sync}), which already depends on this one: the client package keeps no table of its own.
 */
public interface ProductIdCache {

    /** The remembered id, or null. */
    Uni<String> cachedProductId(long storeId, String sku);

    /** Remembers the id; the product's name fills the SKU's name only where none is known. */
    Uni<Void> rememberProductId(long storeId, String sku, String productName, String productId);

    /** Drops the id, so the next resolve searches again. */
    Uni<Void> forgetProductId(long storeId, String sku);
}
