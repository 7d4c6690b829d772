package ec.stocksync.contifico;

/**
 * An operator marked the SKU as not synced: nothing of it is booked in Contifico or read from it. Not a Contifico
 * failure (no call was made), and not retryable: it stands until the mark is removed.
 */
public final class SkuNotSynced extends RuntimeException {

    private final String sku;

    public SkuNotSynced(String sku) {
        super("SKU '" + sku + "' is marked not synced: nothing is booked in Contifico for it. Link it to a Contifico"
                + " product (or remove the mark), then retry", null, false, false);
        this.sku = sku;
    }

    public String sku() {
        return sku;
    }
}
