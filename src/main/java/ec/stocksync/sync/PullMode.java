package ec.stocksync.sync;

/** Which SKUs a pull reads (column {@code pull_runs.kind}). */
public enum PullMode {
    /** Every mapped SKU: the sweep, the slow backstop. */
    FULL,
    /** Only the SKUs Contifico's change signals flag since the last baseline. */
    DELTA,
    /** The SKUs a caller named. */
    SELECTIVE
}
