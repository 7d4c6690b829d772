package ec.stocksync.movement;

import ec.stocksync.sync.MovementCounts;
import ec.stocksync.sync.PullFence;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue's state transitions. Every transition out of IN_PROGRESS names the lease owner, so a worker whose lease
 * was taken over can never overwrite what the new owner did (River #1302).
 */
@ApplicationScoped
public class MovementRepository implements MovementCounts {

    @Inject
    Pool pool;

    private static final String CLAIM = """
            UPDATE inventory_movements_queue
            SET status = 'IN_PROGRESS', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
                updated_at = now()
            WHERE id IN (SELECT id FROM inventory_movements_queue
                         WHERE status = 'PENDING' AND next_attempt_at <= now()
                           AND (store_id, sku) NOT IN (SELECT * FROM unnest($4::bigint[], $5::text[]))
                         ORDER BY next_attempt_at, id
                         LIMIT $3
                         FOR UPDATE SKIP LOCKED)
            RETURNING """ + Movement.COLUMNS;

    /**
     * Claims up to {@code limit} due movements, oldest first, leaving out the SKUs this worker is pushing right now:
     * their push lock is taken, and the push in progress sweeps them up when it is done.
     */
    public Uni<List<Movement>> claimDue(String owner, Duration lease, int limit, List<Long> busyStores,
                                        List<String> busySkus) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(owner, seconds(lease), limit).addArrayOfLong(busyStores.toArray(new Long[0]))
                        .addArrayOfString(busySkus.toArray(new String[0])))
                .map(MovementRepository::list);
    }

    /**
     * Under the SKU's push lock, claims the other movements of the same SKU, kind and storefront location that wait,
     * due or not, so a burst is pushed as one Contifico movement (in one warehouse). Movements in doubt (an earlier push may have landed) are left to their own
     * look-up.
     */
    public Uni<List<Movement>> claimSameSku(String owner, Duration lease, long storeId, String sku, MovementKind kind,
                                            String location, int limit) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'IN_PROGRESS', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
                            updated_at = now()
                        WHERE id IN (SELECT id FROM inventory_movements_queue
                                     WHERE store_id = $3 AND sku = $4 AND kind = $5 AND status = 'PENDING'
                                       AND storefront_location_id IS NOT DISTINCT FROM $7
                                       AND NOT push_outcome_unknown AND contifico_movement_id IS NULL
                                     ORDER BY id
                                     LIMIT $6
                                     FOR UPDATE SKIP LOCKED)
                        RETURNING """ + Movement.COLUMNS)
                .execute(Tuple.from(new Object[]{owner, seconds(lease), storeId, sku, kind.name(), limit, location}))
                .map(MovementRepository::list);
    }

    /** Claims the waiting members of a group whose push is in doubt, so one look-up settles all of them. */
    public Uni<List<Movement>> claimSameReference(String owner, Duration lease, long storeId, String reference) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'IN_PROGRESS', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
                            updated_at = now()
                        WHERE id IN (SELECT id FROM inventory_movements_queue
                                     WHERE store_id = $3 AND contifico_reference = $4 AND status = 'PENDING'
                                     FOR UPDATE SKIP LOCKED)
                        RETURNING """ + Movement.COLUMNS)
                .execute(Tuple.of(owner, seconds(lease), storeId, reference))
                .map(MovementRepository::list);
    }

    public Uni<Integer> renewLeases(String owner, List<Long> ids, Duration lease) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue SET lease_expires_at = now() + make_interval(secs => $3)
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(ids.toArray(new Long[0]), owner, seconds(lease)))
                .map(RowSet::rowCount);
    }

    /**
     * Hands back movements whose worker died. Only rows still IN_PROGRESS under a lease that ran out: a row that just
     * completed is never touched. Whether their push reached Contifico is recorded on the row itself
     * (push_outcome_unknown is set before sending), so the next attempt knows to look it up first. The row keeps its
     * due time, which is in the past, so taken-over work goes ahead of the backlog; except a push in doubt, which waits
     * {@code inDoubtDelay} so that a request Contifico may still be processing lands before its look-up.
     */
    public Uni<Integer> rescueExpired(Duration inDoubtDelay) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL,
                            next_attempt_at = CASE WHEN push_outcome_unknown
                                                   THEN now() + make_interval(secs => $1) ELSE next_attempt_at END,
                            last_error = coalesce(last_error || '; ', '') || 'lease expired (worker lost): taken over',
                            updated_at = now()
                        WHERE status = 'IN_PROGRESS' AND lease_expires_at < now()""")
                .execute(Tuple.of(seconds(inDoubtDelay))).map(RowSet::rowCount);
    }

    /**
     * A worker shutting down gives back what it still holds, without spending an attempt. Pushes that may have reached
     * Contifico keep their doubt and wait {@code inDoubtDelay} (a POST cut on the way may still land) before their
     * look-up; the rest are due at once, on whichever replica claims them.
     */
    public Uni<Integer> releaseAll(String owner, Duration inDoubtDelay) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL,
                            next_attempt_at = CASE WHEN push_outcome_unknown
                                                   THEN now() + make_interval(secs => $2) ELSE now() END,
                            updated_at = now()
                        WHERE lease_owner = $1 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(owner, seconds(inDoubtDelay))).map(RowSet::rowCount);
    }

    /** The SKU is being pushed by someone else: put the movements back without spending an attempt. */
    public Uni<Void> defer(String owner, List<Long> ids, Duration delay) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL,
                            next_attempt_at = now() + make_interval(secs => $3), updated_at = now()
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(ids.toArray(new Long[0]), owner, seconds(delay)))
                .replaceWithVoid();
    }

    /**
     * Recorded before the POST is sent: from here until we hear back, the push is in doubt. The warehouse it goes to
     * is recorded with it, so the look-up searches where it was sent even if the location map changed since.
     */
    public Uni<Integer> markInDoubt(String owner, List<Long> ids, String reference, String warehouseId) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue SET push_outcome_unknown = TRUE, contifico_reference = $3,
                               in_doubt_since = now(), contifico_warehouse_id = $4, updated_at = now()
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(ids.toArray(new Long[0]), owner, reference, warehouseId))
                .map(RowSet::rowCount);
    }

    /** Contifico said for sure that the reference was not booked: the group is clean again. */
    public Uni<Void> clearDoubt(String owner, List<Long> ids) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue SET push_outcome_unknown = FALSE, contifico_reference = NULL,
                               in_doubt_since = NULL, updated_at = now()
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(ids.toArray(new Long[0]), owner))
                .replaceWithVoid();
    }

    public Uni<Integer> markPushed(String owner, List<Long> ids, String contificoMovementId, String reference) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET push_outcome_unknown = FALSE, contifico_movement_id = $3, contifico_reference = $4,
                            pushed_at = now(), last_error = NULL, updated_at = now()
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(ids.toArray(new Long[0]), owner, contificoMovementId, reference))
                .map(RowSet::rowCount);
    }

    public Uni<Integer> markDone(String owner, List<Long> ids) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'DONE', lease_owner = NULL, lease_expires_at = NULL, done_at = now(), updated_at = now()
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'""")
                .execute(Tuple.of(ids.toArray(new Long[0]), owner))
                .map(RowSet::rowCount);
    }

    /**
     * A failed attempt: back to PENDING after {@code delay}, or DEAD once the budget is spent (or at once when
     * {@code dead}). {@code notBooked}: the failure proves nothing reached Contifico, so
     * a doubt recorded before sending is cleared; otherwise it stays and the next attempt looks the reference up first.
     * Returns the rows as they now stand.
     */
    public Uni<List<Movement>> fail(String owner, List<Long> ids, String error, Duration delay, int maxAttempts,
                                    boolean dead, boolean notBooked, boolean spendAttempt) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET attempts = attempts + CASE WHEN $8 THEN 1 ELSE 0 END,
                            status = CASE WHEN $6 OR ($8 AND attempts + 1 >= $5) THEN 'DEAD' ELSE 'PENDING' END,
                            next_attempt_at = now() + make_interval(secs => $4),
                            lease_owner = NULL, lease_expires_at = NULL, last_error = $3, updated_at = now(),
                            push_outcome_unknown = CASE WHEN $7 THEN FALSE ELSE push_outcome_unknown END,
                            contifico_reference = CASE WHEN $7 THEN NULL ELSE contifico_reference END,
                            in_doubt_since = CASE WHEN $7 THEN NULL ELSE in_doubt_since END
                        WHERE id = ANY($1) AND lease_owner = $2 AND status = 'IN_PROGRESS'
                        RETURNING """ + Movement.COLUMNS)
                .execute(Tuple.from(new Object[]{ids.toArray(new Long[0]), owner, error, seconds(delay), maxAttempts,
                        dead, notBooked, spendAttempt}))
                .map(MovementRepository::list);
    }

    /**
     * A DEAD movement back in the queue, with a fresh budget. A dismissal is cleared: the sale is being booked again, so
     * its units are reserved again like any queued sale's.
     */
    public Uni<Movement> retry(long id) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET status = 'PENDING', attempts = 0, next_attempt_at = now(), updated_at = now(),
                            dismissed_at = NULL, dismissed_reason = NULL, dismissed_by = NULL
                        WHERE id = $1 AND status = 'DEAD'
                        RETURNING """ + Movement.COLUMNS)
                .execute(Tuple.of(id))
                .call(rows -> rows.rowCount() == 0 ? Uni.createFrom().voidItem()
                        : pool.preparedQuery("SELECT pg_notify('" + MovementQueue.CHANNEL + "', $1)")
                        .execute(Tuple.of(String.valueOf(rows.iterator().next().getLong("store_id")))))
                .map(rows -> rows.iterator().hasNext() ? Movement.from(rows.iterator().next()) : null);
    }

    /**
     * An operator gives up on a DEAD movement, so its units are no longer reserved. One guarded UPDATE: of two
     * concurrent dismissals only one finds the row undismissed. Null when the movement is not DEAD or already dismissed
     * (or does not exist).
     */
    public Uni<Movement> dismiss(long id, String reason, String by) {
        return pool.preparedQuery("""
                        UPDATE inventory_movements_queue
                        SET dismissed_at = now(), dismissed_reason = $2, dismissed_by = $3, updated_at = now()
                        WHERE id = $1 AND status = 'DEAD' AND dismissed_at IS NULL
                        RETURNING """ + Movement.COLUMNS)
                .execute(Tuple.of(id, reason, by))
                .map(rows -> rows.iterator().hasNext() ? Movement.from(rows.iterator().next()) : null);
    }

    /**
     * The DEAD movements an operator picked by store, SKU and error text, as {@link #retryAll} and {@link #dismissAll}
     * see them. Dismissed ones are settled and never part of a bulk action (one can still be retried by its id).
     */
    public record DeadSelection(long storeId, String sku, String errorText) {

        /** The error text as a case-insensitive "contains" pattern; the operator's % and _ mean themselves. */
        String errorPattern() {
            return containsPattern(errorText);
        }
    }

    /** Text as a case-insensitive "contains" pattern for ILIKE, or null; its % and _ mean themselves. */
    public static String containsPattern(String text) {
        if (text == null) {
            return null;
        }
        return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** How many movements matched a bulk action, and the ids it changed (none when the expected count did not hold). */
    public record BulkResult(long matched, List<Long> changed) {
    }

    private static final String SELECTED = """
            sel AS (SELECT id FROM inventory_movements_queue
                    WHERE store_id = $1 AND status = 'DEAD' AND dismissed_at IS NULL
                      AND ($2::text IS NULL OR sku = $2) AND ($3::text IS NULL OR last_error ILIKE $3)
                    ORDER BY id
                    FOR UPDATE),
            n AS (SELECT count(*) AS matched FROM sel)""";

    /**
     * Every selected DEAD movement back to PENDING with a fresh budget, in one statement. With {@code expected}, nothing
     * changes unless exactly that many match: the operator acts on the list they saw, not on one that grew since (a
     * movement that died meanwhile, for another reason, is not swept along unseen). The rows are locked in id order, so
     * two bulk actions on one store queue behind each other instead of deadlocking.
     */
    public Uni<BulkResult> retryAll(DeadSelection selection, Integer expected) {
        return bulk("""
                upd AS (UPDATE inventory_movements_queue q
                        SET status = 'PENDING', attempts = 0, next_attempt_at = now(), updated_at = now()
                        FROM n
                        WHERE q.id IN (SELECT id FROM sel) AND ($4::int IS NULL OR n.matched = $4)
                        RETURNING q.id),
                woken AS (SELECT pg_notify('%s', $1::text) FROM (SELECT 1 FROM upd LIMIT 1) one)""".formatted(MovementQueue.CHANNEL),
                Tuple.of(selection.storeId(), selection.sku(), selection.errorPattern(), expected));
    }

    /** Every selected DEAD movement dismissed with one reason, in one statement; {@code expected} as in {@link #retryAll}. */
    public Uni<BulkResult> dismissAll(DeadSelection selection, Integer expected, String reason, String by) {
        return bulk("""
                upd AS (UPDATE inventory_movements_queue q
                        SET dismissed_at = now(), dismissed_reason = $5, dismissed_by = $6, updated_at = now()
                        FROM n
                        WHERE q.id IN (SELECT id FROM sel) AND ($4::int IS NULL OR n.matched = $4)
                        RETURNING q.id),
                woken AS (SELECT 1 WHERE FALSE)""",
                Tuple.of(selection.storeId(), selection.sku(), selection.errorPattern(), expected, reason, by));
    }

    private Uni<BulkResult> bulk(String update, Tuple args) {
        return pool.preparedQuery("WITH " + SELECTED + ",\n" + update + """

                        SELECT (SELECT matched FROM n) AS matched,
                               (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM upd) AS changed,
                               (SELECT count(*) FROM woken) AS woken""")
                .execute(args)
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new BulkResult(row.getLong("matched"), List.of(row.getArrayOfLongs("changed")));
                });
    }

    /** A page of the queue and the count of all rows matching (for the operators' list). */
    public record MovementPage(List<Movement> items, long total) {
    }

    /** The queue newest first; each filter applies when not null ({@code errorPattern} is an ILIKE pattern). */
    public Uni<MovementPage> page(Long storeId, MovementStatus status, String sku, Boolean dismissed, String errorPattern,
                                  int limit, long offset) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE TRUE");
        if (storeId != null) {
            args.add(storeId);
            where.append(" AND store_id = $").append(args.size());
        }
        if (status != null) {
            args.add(status.name());
            where.append(" AND status = $").append(args.size());
        }
        if (sku != null) {
            args.add(sku);
            where.append(" AND sku = $").append(args.size());
        }
        if (dismissed != null) {
            where.append(dismissed ? " AND dismissed_at IS NOT NULL" : " AND dismissed_at IS NULL");
        }
        if (errorPattern != null) {
            args.add(errorPattern);
            where.append(" AND last_error ILIKE $").append(args.size());
        }
        String filter = where.toString();
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(limit);
        pageArgs.add(offset);
        Uni<List<Movement>> items = pool.preparedQuery("SELECT " + Movement.COLUMNS + " FROM inventory_movements_queue"
                        + filter + " ORDER BY id DESC LIMIT $" + (args.size() + 1) + " OFFSET $" + (args.size() + 2))
                .execute(Tuple.from(pageArgs)).map(MovementRepository::list);
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM inventory_movements_queue" + filter)
                .execute(Tuple.from(args)).map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new MovementPage(t.getItem1(), t.getItem2()));
    }

    public Uni<Movement> find(long id) {
        return pool.preparedQuery("SELECT " + Movement.COLUMNS + " FROM inventory_movements_queue WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? Movement.from(rows.iterator().next()) : null);
    }

    /**
     * Deletes up to {@code limit} movements DONE longer ago than {@code olderThan}, and returns how many. Their business
     * keys move to {@code inventory_movements_purged_keys} in the same statement, so {@link MovementQueue} still refuses
     * to book them again. (A DEAD movement flags its SKU until an operator settles it, whatever came after, so no DONE
     * row needs keeping for the status table.) Rows another transaction holds are skipped, never waited for.
     */
    public Uni<Integer> purgeDoneBatch(Duration olderThan, int limit) {
        return pool.preparedQuery("""
                        WITH gone AS (
                          DELETE FROM inventory_movements_queue
                          WHERE id IN (SELECT m.id FROM inventory_movements_queue m
                                       WHERE m.status = 'DONE' AND m.done_at < now() - make_interval(secs => $1)
                                       LIMIT $2
                                       FOR UPDATE SKIP LOCKED)
                          RETURNING store_id, business_key),
                        kept AS (
                          INSERT INTO inventory_movements_purged_keys (store_id, business_key)
                          SELECT store_id, business_key FROM gone
                          ON CONFLICT DO NOTHING)
                        SELECT count(*) FROM gone""")
                .execute(Tuple.of(seconds(olderThan), limit))
                .map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /**
     * Queue depth and the age of the oldest waiting movement, for metrics. Dismissed DEAD movements are not counted: an
     * operator settled them, and an alert on dead movements must be able to clear.
     */
    public record QueueStats(long pending, long inProgress, long dead, double oldestPendingAgeSeconds) {
    }

    public Uni<QueueStats> stats() {
        return pool.query("""
                        SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending,
                               count(*) FILTER (WHERE status = 'IN_PROGRESS') AS in_progress,
                               count(*) FILTER (WHERE status = 'DEAD' AND dismissed_at IS NULL) AS dead,
                               coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('PENDING', 'IN_PROGRESS'))), 0) AS oldest
                        FROM inventory_movements_queue WHERE status <> 'DONE'""")
                .execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new QueueStats(r.getLong("pending"), r.getLong("in_progress"), r.getLong("dead"),
                            r.getNumeric("oldest").doubleValue());
                });
    }

    /**
     * The pull fence's snapshot (DESIGN rule 8): per SKU, the movements not DONE, the newest push, the dismissals and
     * the open delta. Every field only moves forward while a movement of the SKU is created, pushed or settled, and
     * none moves when retention purges old DONE rows.
     */
    @Override
    public Uni<PullFence.Snapshots> snapshot(long storeId, Collection<String> skus) {
        return pool.preparedQuery(SQL_FENCE)
                .execute(Tuple.of(storeId, skus.toArray(new String[0])))
                .map(rows -> {
                    Map<String, PullFence.Snapshot> out = new HashMap<>();
                    OffsetDateTime takenAt = null;
                    for (var r : rows) {
                        Map<String, Integer> byLocation = new HashMap<>();
                        Object json = r.getValue("open_by_location");
                        if (json instanceof io.vertx.core.json.JsonObject o) {
                            o.forEach(e -> byLocation.put(e.getKey(), ((Number) e.getValue()).intValue()));
                        }
                        Map<String, Integer> restocks = new HashMap<>();
                        if (r.getValue("restock_by_location") instanceof io.vertx.core.json.JsonObject o) {
                            o.forEach(e -> restocks.put(e.getKey(), ((Number) e.getValue()).intValue()));
                        }
                        out.put(r.getString("sku"), new PullFence.Snapshot(r.getLong("n"), r.getOffsetDateTime("last_push"),
                                r.getLong("dismissed"), r.getInteger("open_delta"), Map.copyOf(byLocation),
                                Map.copyOf(restocks)));
                        takenAt = r.getOffsetDateTime("taken_at");
                    }
                    return new PullFence.Snapshots(out, takenAt);
                });
    }

    private static final String SQL_FENCE = """
            SELECT s.sku, coalesce(o.n, 0) AS n, coalesce(o.dismissed, 0) AS dismissed,
                   coalesce(o.open_delta, 0) AS open_delta,
                   (SELECT jsonb_object_agg(l.loc, l.delta) FROM (
                      SELECT m.storefront_location_id AS loc,
                             sum(CASE m.kind WHEN 'SALE' THEN -m.quantity ELSE m.quantity END)::int AS delta
                      FROM inventory_movements_queue m
                      WHERE m.store_id = $1 AND m.sku = s.sku AND m.status <> 'DONE'
                        AND m.storefront_location_id IS NOT NULL AND m.contifico_movement_id IS NULL
                        AND (m.status IN ('PENDING', 'IN_PROGRESS') OR (m.status = 'DEAD' AND m.dismissed_at IS NULL))
                      GROUP BY m.storefront_location_id) l) AS open_by_location,
                   (SELECT jsonb_object_agg(l.loc, l.restocked) FROM (
                      SELECT m.storefront_location_id AS loc, sum(m.quantity)::int AS restocked
                      FROM inventory_movements_queue m
                      WHERE m.store_id = $1 AND m.sku = s.sku AND m.status <> 'DONE' AND m.kind <> 'SALE'
                        AND m.storefront_location_id IS NOT NULL AND m.contifico_movement_id IS NULL
                        AND (m.status IN ('PENDING', 'IN_PROGRESS') OR (m.status = 'DEAD' AND m.dismissed_at IS NULL))
                      GROUP BY m.storefront_location_id) l) AS restock_by_location,
                   (SELECT max(p.pushed_at) FROM inventory_movements_queue p
                    WHERE p.store_id = $1 AND p.sku = s.sku) AS last_push,
                   now() AS taken_at
            FROM unnest($2::text[]) AS s(sku)
            LEFT JOIN LATERAL (
              SELECT count(*) AS n, count(*) FILTER (WHERE m.dismissed_at IS NOT NULL) AS dismissed,
                     sum(CASE m.kind WHEN 'SALE' THEN -m.quantity ELSE m.quantity END)
                       FILTER (WHERE m.contifico_movement_id IS NULL
                                 AND (m.status IN ('PENDING', 'IN_PROGRESS')
                                      OR (m.status = 'DEAD' AND m.dismissed_at IS NULL)))::int AS open_delta
              FROM inventory_movements_queue m
              WHERE m.store_id = $1 AND m.sku = s.sku AND m.status <> 'DONE') o ON TRUE""";

    static List<Movement> list(RowSet<Row> rows) {
        List<Movement> out = new ArrayList<>(rows.rowCount());
        rows.forEach(r -> out.add(Movement.from(r)));
        return out;
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
