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
     * What a delta pull read to find the SKUs that changed.
     *
     * @param calls Contifico calls the signals cost (catalogue pages, movement and document pages)
     */
    @RegisterForReflection
    public record Signals(int catalogue, int movements, int documents, int flagged, int calls) {
    }
}
