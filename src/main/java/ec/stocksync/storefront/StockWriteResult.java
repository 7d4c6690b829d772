package ec.stocksync.storefront;

/**
 * Outcome of one write of a batch: a batch can partly fail, so each write gets its own answer.
 *
 * @param written the quantity the storefront now holds ({@code null} when the write failed)
 * @param error   why the write failed ({@code null} on success)
 */
public record StockWriteResult(StockWrite write, Integer written, StorefrontException error) {

    public boolean ok() {
        return error == null;
    }

    public static StockWriteResult success(StockWrite write, int written) {
        return new StockWriteResult(write, written, null);
    }

    public static StockWriteResult failure(StockWrite write, StorefrontException error) {
        return new StockWriteResult(write, null, error);
    }
}
