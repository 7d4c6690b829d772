package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Keeps a pull from publishing a figure older than a sale (DESIGN rule 8).
 *
 * <p>Before a pull reads Contifico it takes a {@link Snapshot} of each SKU's movements; just before it writes the
 * storefront it takes the SKU's push lock and compares. Any movement created, pushed or dismissed in between changes
 * the snapshot, and the SKU is left to that movement's own post-push pull. Counting rows rather than comparing
 * timestamps or ids matters: a webhook transaction that started before the snapshot but committed after it carries an
 * older {@code created_at} and a lower id, yet still changes the count. Holding the push lock from the comparison to
 * the end of the write closes the last gap: a movement that arrives after the comparison cannot be pushed, nor
 * post-push pulled, before the write has landed.
 */
@ApplicationScoped
public class PullFence {

    @Inject
    Pool pool;
    @Inject
    AdvisoryLocks locks;

    /**
     * What a pull knew of a SKU's movements when it read Contifico.
     *
     * @param openDelta the stock effect of movements the storefront took but Contifico has not booked: waiting, being
     *                  pushed, or DEAD and not dismissed (an unbooked sale keeps its units reserved until an operator
     *                  settles it)
     */
    public record Snapshot(long movements, long pushed, long dismissed, int openDelta) {
        static final Snapshot NONE = new Snapshot(0, 0, 0, 0);
    }

    public Uni<Map<String, Snapshot>> snapshot(long storeId, Collection<String> skus) {
        return pool.preparedQuery("""
                        SELECT sku, count(*) AS n,
                               count(*) FILTER (WHERE contifico_movement_id IS NOT NULL) AS pushed,
                               count(*) FILTER (WHERE dismissed_at IS NOT NULL) AS dismissed,
                               coalesce(sum(CASE kind WHEN 'SALE' THEN -quantity ELSE quantity END)
                                        FILTER (WHERE contifico_movement_id IS NULL
                                                  AND (status IN ('PENDING', 'IN_PROGRESS')
                                                       OR (status = 'DEAD' AND dismissed_at IS NULL))), 0)::int AS open_delta
                        FROM inventory_movements_queue
                        WHERE store_id = $1 AND sku = ANY($2)
                        GROUP BY sku""")
                .execute(Tuple.of(storeId, skus.toArray(new String[0])))
                .map(rows -> {
                    Map<String, Snapshot> out = new HashMap<>();
                    for (String sku : skus) {
                        out.put(sku, Snapshot.NONE);
                    }
                    rows.forEach(r -> out.put(r.getString("sku"), new Snapshot(r.getLong("n"), r.getLong("pushed"),
                            r.getLong("dismissed"), r.getInteger("open_delta"))));
                    return out;
                });
    }

    /**
     * Runs {@code write} with the SKUs that may still be written: their push lock was free and their movements are as
     * the snapshot saw them. The locks are held until {@code write} ends.
     */
    public <T> Uni<T> underFence(long storeId, Map<String, Snapshot> seen, Function<Set<String>, Uni<T>> write) {
        return locks.withPushLocks(storeId, seen.keySet(), locked -> locked.isEmpty()
                ? write.apply(Set.of())
                : snapshot(storeId, locked).chain(now -> {
                    Set<String> clear = new HashSet<>();
                    for (String sku : locked) {
                        if (now.get(sku).equals(seen.get(sku))) {
                            clear.add(sku);
                        }
                    }
                    return write.apply(clear);
                }));
    }
}
