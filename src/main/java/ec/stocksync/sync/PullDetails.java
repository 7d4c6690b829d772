package ec.stocksync.sync;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * The part of a run's outcome kept as JSON on its {@code pull_runs} row: enough to see what went wrong and what
 * changed without flooding the answer.
 */
@RegisterForReflection
public record PullDetails(List<PullRunView.SkuError> errors, List<SkuPullResult> changes, List<String> zeroing,
                          Signals signals) {

    /** The first errors of a run. */
    public static final int MAX_ERRORS = 20;
    /** The first SKUs written (or, in a dry run, that would be), for the preview. */
    public static final int MAX_CHANGES = 100;
    /** The SKUs a blocked run would have zeroed, listed for the operator. */
    public static final int MAX_ZEROING = 200;

    public static final PullDetails EMPTY = new PullDetails(List.of(), List.of(), List.of(), null);

    /**
     * What Contifico's change signals flagged: products whose catalogue figure changed, products in inventory
     * movements (transfers into the warehouse included) and in sales documents dated since the watermark, and the
     * mapped SKUs that came of it. {@code baseline} is false when the store had none yet and every SKU was read.
     */
    @RegisterForReflection
    public record Signals(int catalogue, int movements, int documents, int flagged, boolean baseline) {
    }
}
