package ec.stocksync.sandbox.storefront;

/** A stock change a simulator applied (replays of an idempotent request are not recorded again). */
public record RecordedStockWrite(String sku, Integer before, int after, String endpoint) {
}
