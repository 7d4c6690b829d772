package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Keeps a pull from publishing a figure older than a sale (DESIGN rule 8).
 *
 * <p>Before a pull reads the storefront or Contifico it takes a {@link Snapshot} of each SKU's movements; just before
 * it writes the storefront it takes the SKU's push lock and compares. Any movement created, pushed or dismissed in
 * between changes the snapshot, and the SKU is left to that movement's own post-push pull. Counting open rows and
 * taking the newest push, rather than comparing creation times or ids, matters: a webhook transaction that started
 * before the snapshot but committed after it carries an older {@code created_at} and a lower id, yet still adds an
 * open row (or, once pushed, a newer push). Holding the push lock from the comparison to the end of the write (and of
 * the cache and log updates) closes the last gap: a movement that arrives after the comparison cannot be pushed, nor
 * post-push pulled, before the write has landed.
 */
@ApplicationScoped
public class PullFence {

    @Inject
    MovementCounts movements;
    @Inject
    AdvisoryLocks locks;

    /**
     * What a pull knew of a SKU's movements before it read anything. Every field only moves forward while a movement
     * of the SKU is created, pushed or settled, and none moves when retention purges old DONE rows: a purge must not
     * be able to cancel out a sale.
     *
     * @param open       movements not DONE (a new one, committed late or not, adds one; one pushed and DONE since
     *                   moves {@code lastPush})
     * @param lastPush   the newest push of the SKU (pushes of one SKU are serialized by its push lock, so this grows)
     * @param dismissed  DEAD movements an operator dismissed
     * @param openDelta  the stock effect of movements the storefront took but Contifico has not booked: waiting, being
     *                   pushed, or DEAD and not dismissed (an unbooked sale keeps its units reserved)
     */
    public record Snapshot(long open, OffsetDateTime lastPush, long dismissed, int openDelta,
                           Map<String, Integer> openDeltaByLocation, Map<String, Integer> openRestockByLocation) {
        static final Snapshot NONE = new Snapshot(0, null, 0, 0, Map.of(), Map.of());

        public Snapshot(long open, OffsetDateTime lastPush, long dismissed, int openDelta) {
            this(open, lastPush, dismissed, openDelta, Map.of(), Map.of());
        }

        /**
         * The open delta of movements fulfilled at {@code location} (issue 14 D): what a pull subtracts from a mapped
         * location other than the store's own.
         */
        public int openDeltaAt(String location) {
            return openDeltaByLocation.getOrDefault(location, 0);
        }

        /**
         * The open delta the store's own location ({@code ownLocation}, null when it has no id) adds to its
         * Contifico figure: movements with no location or at the own location, and the sales elsewhere (held back
         * here too until booked: never an oversell), but not restocks waiting at another location. Those units are
         * not here; adding them would put on sale what this location does not have.
         */
        public int openDeltaOwn(String ownLocation) {
            int foreignRestocks = 0;
            for (var e : openRestockByLocation.entrySet()) {
                if (!e.getKey().equals(ownLocation)) {
                    foreignRestocks += e.getValue();
                }
            }
            return openDelta - foreignRestocks;
        }
    }

    /** Snapshots of several SKUs, and the database's clock when they were taken. */
    public record Snapshots(Map<String, Snapshot> bySku, OffsetDateTime takenAt) {
        public Snapshot get(String sku) {
            return bySku.getOrDefault(sku, Snapshot.NONE);
        }
    }

    public Uni<Snapshots> snapshot(long storeId, Collection<String> skus) {
        return movements.snapshot(storeId, skus);
    }

    /**
     * Runs {@code write} with the SKUs that may still be written: their push lock was free and their movements are as
     * the snapshot saw them. The locks are held until {@code write} ends.
     *
     * @param insidePull true when the caller holds the store's pull lock (see {@link AdvisoryLocks#withPushLocks})
     */
    public <T> Uni<T> underFence(long storeId, Map<String, Snapshot> seen, boolean insidePull,
                                 Function<Set<String>, Uni<T>> write) {
        return locks.withPushLocks(storeId, seen.keySet(), insidePull, locked -> locked.isEmpty()
                ? write.apply(Set.of())
                : snapshot(storeId, locked).chain(now -> {
                    Set<String> clear = new HashSet<>();
                    for (String sku : locked) {
                        if (now.get(sku).equals(seen.getOrDefault(sku, Snapshot.NONE))) {
                            clear.add(sku);
                        }
                    }
                    return write.apply(clear);
                }));
    }
}
