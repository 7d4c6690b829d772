package ec.stocksync.sync;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;

/** What a pull did for one SKU; also what its sync_logs row says. */
@RegisterForReflection
public record SkuPullResult(String sku, SyncAction action, BigDecimal contificoStock, Integer storeStockBefore,
                            Integer storeStockAfter, String error) {

    public static SkuPullResult error(String sku, String error) {
        return new SkuPullResult(sku, SyncAction.ERROR, null, null, null, error);
    }
}
