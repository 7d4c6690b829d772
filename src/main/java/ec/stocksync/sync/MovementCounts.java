package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;

import java.util.Collection;

/**
 * The fence's view of the movement queue ({@link PullFence.Snapshot}). Defined here and implemented by the queue's
 * owner ({@code movement}, which depends on this package for its post-push pulls), so the pulls neither read the
 * queue's table nor depend on its package. One statement for all the SKUs, as before: the fence is on the pull's hot
 * path and takes the second snapshot while it holds push locks.
 */
public interface MovementCounts {

    /** A snapshot of each SKU's movements (SKUs without any are absent) and the database's clock when it was taken. */
    Uni<PullFence.Snapshots> snapshot(long storeId, Collection<String> skus);
}
