package ec.stocksync.status;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.PlannedOnce;
import ec.stocksync.movement.MovementQueue;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.sync.StockCache;
import ec.stocksync.sync.SyncLogs;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The status table in one round trip: rows of the page, the filtered total and the store's summary come back together.
 * With 10,000 SKUs the whole store is evaluated on every call (the summary counts need every SKU's status), so the
 * query avoids per-SKU look-ups: the newest sync_logs row per SKU comes from {@code sync_status_latest} (kept by a
 * trigger, V10), and the queue is read only in its open part (pending, in progress, dead and not dismissed), which
 * stays small.
 */
@ApplicationScoped
public class SyncStatusQuery {

    /** API sort names → SQL, each ending on sku so pages never overlap. */
    static final Map<String, String> SORTS = Map.of(
            "sku", "sku",
            "name", "name",
            "storeStock", "store_stock",
            "contificoStock", "contifico_stock",
            "status", "status",
            "lastUpdatedAt", "last_at",
            "pendingMovements", "pending");

    /**
     * Every SKU of store $1 with its computed status: the CTEs {@code queue}, {@code cached} and {@code rows}. The
     * tables are read through the fragments their owners publish (the queue's open part, the cache, the newest log per
     * SKU), so this stays one statement.
     */
    private static final String ROWS = "WITH " + rows(MovementQueue.OPEN_BY_SKU, StockCache.statusColumns("queue"),
            SyncLogs.LATEST_BY_SKU);

    /** The CTEs of {@link #ROWS} (without WITH) over the given fragments, so they can be restricted to a few SKUs. */
    private static String rows(String queue, String cached, String latest) {
        return "queue AS (\n" + queue + "),\n" + "cached AS (\n" + cached + "),\n" + """
            rows AS (
              -- Full pulls log only what changed or failed; the cache says when an unchanged SKU was last checked.
              SELECT c.sku, c.name, c.store_stock, c.contifico_stock,
                     greatest(l.created_at, c.last_checked_at) AS last_at,
                     CASE WHEN l.created_at IS NULL OR c.last_checked_at > l.created_at THEN c.last_checked_trigger
                          ELSE l.trigger END AS trigger,
                     coalesce(q.pending, 0) AS pending, q.oldest_open,
                     coalesce(q.dead, 0) AS dead_count, coalesce(q.reserved, 0) AS reserved,
                     -- A DEAD sale keeps its units off sale whatever came after it: only an operator settles it
                     -- (retry or dismiss), so it outranks the sales still queued, which settle on their own.
                     CASE WHEN q.dead > 0 THEN 'ERROR'
                          WHEN q.pending > 0 THEN 'PENDING'
                          WHEN l.action = 'ERROR' AND l.created_at >= coalesce(c.last_checked_at, l.created_at) THEN 'ERROR'
                          WHEN c.contifico_stock IS NULL OR (l.created_at IS NULL AND c.last_checked_at IS NULL) THEN 'PENDING'
                          -- The storefront cannot hold a fraction or a negative: what a pull would publish counts as equal.
                          WHEN c.store_stock = greatest(floor(c.contifico_stock), 0) THEN 'SYNCED'
                          ELSE 'MISMATCH' END AS status,
                     CASE WHEN q.dead > 0 THEN q.dead_error
                          WHEN l.action = 'ERROR' AND l.created_at >= coalesce(c.last_checked_at, l.created_at) THEN l.error
                          ELSE q.open_error END AS last_error
              FROM cached c
              LEFT JOIN queue q ON q.sku = c.sku
              LEFT JOIN (""" + latest + ") l ON l.sku = c.sku)";
    }

    /** The store's change version (V20), read in the same snapshot as the rows it versions. */
    private static final String VERSION = "(SELECT coalesce(sum(v.n), 0) FROM status_versions v WHERE v.store_id = $1)";

    private static final String SQL = ROWS + ",\n" + """
            filtered AS (
              SELECT * FROM rows WHERE %2$s),
            summary AS (
              SELECT %3$s AS store_exists,
                     -- Read in the same snapshot as the rows: the ETag's version is never newer than the page.
                     %4$s AS version,
                     count(*) AS skus,
                     count(*) FILTER (WHERE status = 'SYNCED') AS n_synced,
                     count(*) FILTER (WHERE status = 'MISMATCH') AS n_mismatch,
                     count(*) FILTER (WHERE status = 'PENDING') AS n_pending,
                     count(*) FILTER (WHERE status = 'ERROR') AS n_error,
                     coalesce(sum(pending), 0) AS queue_depth,
                     coalesce(sum(dead_count), 0) AS queue_dead,
                     min(oldest_open) AS oldest_pending_at,
                     extract(epoch FROM now() - min(oldest_open))::bigint AS oldest_pending_age,
                     (SELECT count(*) FROM filtered) AS total
              FROM rows),
            page AS (
              SELECT f.*, row_number() OVER (ORDER BY %1$s) AS rn FROM filtered f ORDER BY %1$s LIMIT $2 OFFSET $3)
            SELECT s.*, p.* FROM summary s LEFT JOIN page p ON TRUE ORDER BY p.rn""";

    /**
     * The whole store at once, for {@link StatusSnapshots}: its rows, the version they were read at (same snapshot),
     * and each row's rank by SKU and by name in the database's collation, so pages sorted in memory order text exactly
     * as ORDER BY does. One placeholder row (sku NULL) when the store has no SKU, to carry the version.
     */
    private static final String ALL = ROWS + "\nSELECT " + VERSION + " AS version,\n" + """
                   -- The statement's MVCC snapshot: a later patch re-reads what changed since (PATCH).
                   pg_current_snapshot()::text AS db_snapshot,
                   -- Which life of the server read it: a patch on another one is refused (PATCH).
                   pg_postmaster_start_time() AS db_started,
                   r.*, row_number() OVER (ORDER BY r.sku) AS sku_rank, dense_rank() OVER (ORDER BY r.name) AS name_rank
            FROM (SELECT 1) one LEFT JOIN rows r ON TRUE""";

    /** A patch of more SKUs than this reads the whole store instead. */
    static final int MAX_PATCHED_SKUS = 500;

    /** A patch whose feed since the snapshot has this many rows or more reads the whole store instead. */
    static final int MAX_FEED_ROWS = 20 * MAX_PATCHED_SKUS;

    private static final String CHANGED_SKUS = "(SELECT skus FROM picked)::text[]";

    /**
     * What changed in store $1 since a snapshot read in the database snapshot $2 (text of a {@code pg_snapshot}): the
     * rows of those SKUs now, the version (same snapshot) and this statement's own snapshot, for the next patch.
     * A change row (V25) was made by a transaction that $2 did not see as committed exactly when it is a change $2
     * missed: this statement sees committed transactions only, and one that was still running when $2 was taken is
     * in its list of running ones however low its id. Those are exactly the ids from $2's xmax up and the ids in its
     * list, read as two index range scans (disjoint, hence UNION ALL; one OR of both gave a sequential scan): a
     * transaction left open for long holds $2's xmin down, and "from xmin, not visible" would read the store's whole
     * feed since it on every patch. More than $5 feed rows (a hot SKU's webhooks count each) also reads in full, so
     * the feed read stays bounded before the SKUs are made distinct. {@code patchable} is false when the patch cannot be trusted or
     * would not pay: a change to the whole store (sku NULL), more than $3 SKUs, or changes retention may have pruned
     * (it deleted a transaction id not below $2's xmin), or a database that is not the one $2 was taken in: a server
     * started since ($4, {@code pg_postmaster_start_time()} of the read: every restart, failover and restore changes
     * it), or transaction ids that went back (this snapshot's xmax below $2's). After a restore or a failover to an
     * asynchronous standby, new transactions may take ids $2 already counts as seen, so their changes would be
     * skipped and stale rows served under a current version. The changed SKUs are the only ones the fragments read
     * (an index look-up each, so that the generic plan of this prepared statement is one too), a SKU without a row
     * left the table.
     */
    static final String PATCH = PlannedOnce.cached("""
            WITH feed AS (
              (SELECT sku FROM status_changes
               WHERE store_id = $1 AND xid >= pg_snapshot_xmax($2::text::pg_snapshot))
              UNION ALL
              (SELECT sku FROM status_changes
               WHERE store_id = $1 AND xid = ANY(ARRAY(SELECT pg_snapshot_xip($2::text::pg_snapshot))))
              LIMIT $5::int),
            changed AS (
              SELECT DISTINCT sku FROM feed LIMIT $3::int + 1),
            picked AS (
              SELECT CASE WHEN count(*) > $3::int OR bool_or(sku IS NULL) OR (SELECT count(*) FROM feed) >= $5::int
                            OR (SELECT xid FROM status_changes_pruned) >= pg_snapshot_xmin($2::text::pg_snapshot)
                            OR pg_postmaster_start_time() IS DISTINCT FROM $4::timestamptz
                            OR pg_snapshot_xmax(pg_current_snapshot()) < pg_snapshot_xmax($2::text::pg_snapshot)
                          THEN NULL ELSE coalesce(array_agg(sku), '{}') END AS skus
              FROM changed),
            """ + rows(MovementQueue.openBySkuAmong(CHANGED_SKUS), StockCache.statusColumnsAmong("queue", CHANGED_SKUS),
            SyncLogs.latestBySkuAmong(CHANGED_SKUS)) + "\n" + """
            SELECT %s AS version, pg_current_snapshot()::text AS db_snapshot, p.skus IS NOT NULL AS patchable,
                   s.sku AS changed_sku, r.*
            FROM picked p LEFT JOIN unnest(p.skus) s(sku) ON TRUE LEFT JOIN rows r ON r.sku = s.sku""".formatted(VERSION));

    @Inject
    Pool pool;
    @Inject
    StoreContexts stores;

    /**
     * What {@link #PATCH} read: the version and database snapshot it read in, and the changed SKUs' rows (a null row:
     * the SKU left the table); {@code changes} is null when the store must be read in full instead.
     */
    public record Patch(long version, String dbSnapshot, Map<String, StatusSnapshot.Change> changes) {
    }

    /** The SKUs of the store that changed since {@code since} was read, as they are now; see {@link #PATCH}. */
    public Uni<Patch> patch(StatusSnapshot since) {
        return pool.preparedQuery(PATCH).execute(Tuple.of(since.storeId(), since.dbSnapshot(), MAX_PATCHED_SKUS,
                        since.dbStarted(), MAX_FEED_ROWS))
                .map(rows -> {
                    long version = 0;
                    String dbSnapshot = null;
                    Map<String, StatusSnapshot.Change> changes = new HashMap<>();
                    for (Row r : rows) {
                        version = r.getLong("version");
                        dbSnapshot = r.getString("db_snapshot");
                        if (!r.getBoolean("patchable")) {
                            changes = null;
                        } else if (r.getString("changed_sku") != null) {
                            changes.put(r.getString("changed_sku"), r.getString("sku") == null
                                    ? new StatusSnapshot.Change(null, null)
                                    : new StatusSnapshot.Change(row(r), r.getOffsetDateTime("oldest_open")));
                        }
                    }
                    return new Patch(version, dbSnapshot, changes);
                });
    }

    /** Loads every row of the store; see {@link #ALL}. */
    public Uni<StatusSnapshot> all(long storeId) {
        return pool.preparedQuery(ALL).execute(Tuple.of(storeId)).map(rows -> {
            long version = 0;
            String dbSnapshot = null;
            OffsetDateTime dbStarted = null;
            List<StatusSnapshot.Entry> entries = new ArrayList<>();
            for (Row r : rows) {
                version = r.getLong("version");
                dbSnapshot = r.getString("db_snapshot");
                dbStarted = r.getOffsetDateTime("db_started");
                if (r.getString("sku") != null) {
                    entries.add(new StatusSnapshot.Entry(row(r), r.getLong("sku_rank"), r.getLong("name_rank"),
                            r.getOffsetDateTime("oldest_open")));
                }
            }
            return new StatusSnapshot(storeId, version, dbSnapshot, dbStarted, entries);
        });
    }

    public record Request(long storeId, SyncStatus status, String q, int page, int size, String sortField,
                          boolean descending) {
    }

    /**
     * A page and the store's change version it was read at (V20): every write to what the page reads bumps the
     * version, so the same version later means the same page.
     */
    public record Versioned(SyncStatusPage page, long version) {
    }

    public Uni<Versioned> page(Request req) {
        String column = SORTS.get(req.sortField());
        String order = column + (req.descending() ? " DESC" : " ASC") + " NULLS LAST"
                + (column.equals("sku") ? "" : ", sku ASC");
        // Filters are spelled out only when given: "$n IS NULL OR ..." would leave a generic plan filtering for nothing.
        List<Object> args = new ArrayList<>(List.of(req.storeId(), req.size(), (long) req.page() * req.size()));
        List<String> where = new ArrayList<>(List.of("TRUE"));
        if (req.status() != null) {
            args.add(req.status().name());
            where.add("status = $" + args.size());
        }
        if (req.q() != null) {
            args.add("%" + likeEscape(req.q()) + "%");
            where.add("(sku ILIKE $" + args.size() + " OR name ILIKE $" + args.size() + ")");
        }
        String sql = SQL.formatted(order, String.join(" AND ", where), StoreContexts.storeExists("$1"), VERSION);
        return pool.preparedQuery(sql)
                .execute(Tuple.from(args))
                .map(rows -> {
                    List<SyncStatusRow> items = new ArrayList<>();
                    Row first = null;
                    for (Row r : rows) {
                        if (first == null) {
                            first = r;
                        }
                        if (r.getString("sku") != null) {
                            items.add(row(r));
                        }
                    }
                    if (first == null || !first.getBoolean("store_exists")) {
                        throw ApiException.storeNotFound(req.storeId());
                    }
                    Map<SyncStatus, Long> counts = new EnumMap<>(SyncStatus.class);
                    counts.put(SyncStatus.SYNCED, first.getLong("n_synced"));
                    counts.put(SyncStatus.MISMATCH, first.getLong("n_mismatch"));
                    counts.put(SyncStatus.PENDING, first.getLong("n_pending"));
                    counts.put(SyncStatus.ERROR, first.getLong("n_error"));
                    SyncStatusPage.Summary summary = new SyncStatusPage.Summary(first.getLong("skus"), counts,
                            first.getLong("queue_depth"), first.getLong("queue_dead"),
                            first.getOffsetDateTime("oldest_pending_at"), first.getLong("oldest_pending_age"));
                    return new Versioned(new SyncStatusPage(req.storeId(), items, req.page(), req.size(),
                            first.getLong("total"), req.sortField() + (req.descending() ? ",desc" : ",asc"), summary),
                            first.getLong("version"));
                });
    }

    private static SyncStatusRow row(Row r) {
        return new SyncStatusRow(r.getString("sku"), r.getString("name"), r.getInteger("store_stock"),
                plain(r.getBigDecimal("contifico_stock")), SyncStatus.valueOf(r.getString("status")),
                r.getOffsetDateTime("last_at"), r.getString("trigger"), r.getLong("pending").intValue(),
                r.getString("last_error"), r.getLong("dead_count").intValue(), r.getLong("reserved").intValue());
    }

    /** NUMERIC(14,3) comes back as 101.000; the table shows 101 (and never 1E+2). */
    static BigDecimal plain(BigDecimal v) {
        if (v == null) {
            return null;
        }
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static String likeEscape(String q) {
        return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * Every status request asks it first (the 304 path is only this), so it is kept prepared: the store by its id
     * and the store's version slots by their key's prefix.
     */
    static final String VERSION_OF_STORE = PlannedOnce.cached(
            "SELECT CASE WHEN " + StoreContexts.storeExists("$1") + " THEN " + VERSION + " END AS version");

    /** The store's change version (V20) without running the page query; null when no store has this id. */
    public Uni<Long> version(long storeId) {
        return pool.preparedQuery(VERSION_OF_STORE)
                .execute(Tuple.of(storeId))
                .map(rows -> rows.iterator().next().getLong("version"));
    }

    /** The one active store, for callers that leave storeId out; null when there are none or several. */
    public Uni<Long> onlyActiveStore() {
        return stores.onlyActiveStoreId();
    }
}
