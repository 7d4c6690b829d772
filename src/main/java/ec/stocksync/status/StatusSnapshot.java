package ec.stocksync.status;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Every row of one store's status table as it was at {@code version} (V20), read in one query, or an earlier snapshot
 * with the rows that changed since read again ({@link #patched}). Pages, filters, sorts and the summary are then
 * answered from memory, with the same rules as {@link SyncStatusQuery#page}: text sorts go by the ranks the database
 * computed in its collation, so an in-memory page is the page ORDER BY would give. Immutable once built; the sorted
 * orders are computed on first use and kept.
 */
public final class StatusSnapshot {

    /** A row, its ranks by SKU and by name (equal names, equal rank), and its oldest open movement. */
    public record Entry(SyncStatusRow row, long skuRank, long nameRank, OffsetDateTime oldestOpen) {
    }

    /** A changed SKU's row as a patch read it ({@link SyncStatusQuery#patch}); {@code row} null when it left the table. */
    public record Change(SyncStatusRow row, OffsetDateTime oldestOpen) {
    }

    private final long storeId;
    private final long version;
    /** The database's MVCC snapshot ({@code pg_snapshot} as text) the rows were read in, or the last patch's. */
    private final String dbSnapshot;
    /**
     * When the database server that read it started ({@code pg_postmaster_start_time()}): a patch run on another
     * server life (a restart, failover or restore since) is refused, see {@link SyncStatusQuery#patch}.
     */
    private final OffsetDateTime dbStarted;
    private final List<Entry> bySku;
    private final List<String> lowerSku;
    private final List<String> lowerName;
    private final Map<String, Integer> indexOfSku;
    private final Map<SyncStatus, Long> counts = new EnumMap<>(SyncStatus.class);
    private final long queueDepth;
    private final long deadMovements;
    private final OffsetDateTime oldestPendingAt;
    private final Map<String, List<Integer>> orders = new ConcurrentHashMap<>();

    public StatusSnapshot(long storeId, long version, String dbSnapshot, OffsetDateTime dbStarted,
                          List<Entry> entries) {
        this(storeId, version, dbSnapshot, dbStarted,
                entries.stream().sorted(Comparator.comparingLong(Entry::skuRank)).toList(), null, null, null);
    }

    /** A patched copy shares what the patch cannot change: the SKUs, their names, hence their lower-cased forms. */
    private StatusSnapshot(long storeId, long version, String dbSnapshot, OffsetDateTime dbStarted, List<Entry> bySku,
                           List<String> lowerSku, List<String> lowerName, Map<String, Integer> indexOfSku) {
        this.storeId = storeId;
        this.version = version;
        this.dbSnapshot = dbSnapshot;
        this.dbStarted = dbStarted;
        this.bySku = bySku;
        this.lowerSku = lowerSku != null ? lowerSku
                : bySku.stream().map(e -> e.row().sku().toLowerCase(Locale.ROOT)).toList();
        this.lowerName = lowerName != null ? lowerName
                : bySku.stream().map(e -> e.row().name() == null ? null : e.row().name().toLowerCase(Locale.ROOT))
                .toList();
        if (indexOfSku == null) {
            indexOfSku = new HashMap<>(bySku.size() * 2);
            for (int i = 0; i < bySku.size(); i++) {
                indexOfSku.put(bySku.get(i).row().sku(), i);
            }
        }
        this.indexOfSku = indexOfSku;
        for (SyncStatus st : SyncStatus.values()) {
            counts.put(st, 0L);
        }
        long depth = 0;
        long dead = 0;
        OffsetDateTime oldest = null;
        for (Entry e : bySku) {
            counts.merge(e.row().status(), 1L, Long::sum);
            depth += e.row().pendingMovements();
            dead += e.row().deadMovements();
            if (e.oldestOpen() != null && (oldest == null || e.oldestOpen().isBefore(oldest))) {
                oldest = e.oldestOpen();
            }
        }
        this.queueDepth = depth;
        this.deadMovements = dead;
        this.oldestPendingAt = oldest;
    }

    public long storeId() {
        return storeId;
    }

    public long version() {
        return version;
    }

    public String dbSnapshot() {
        return dbSnapshot;
    }

    public OffsetDateTime dbStarted() {
        return dbStarted;
    }

    /** This snapshot as if read by a server started at {@code dbStarted}: the tests' stand-in for a restart. */
    StatusSnapshot withDbStarted(OffsetDateTime dbStarted) {
        return new StatusSnapshot(storeId, version, dbSnapshot, dbStarted, bySku, lowerSku, lowerName, indexOfSku);
    }

    /**
     * This snapshot with the rows of {@code changes} replaced, as of {@code version} (read in {@code dbSnapshot} by
     * {@link SyncStatusQuery#patch}); null when the changes cannot be patched in and the store must be read again:
     * a SKU new to the table or gone from it (the ranks by SKU would move), or a changed name (ranks by name come
     * from the database's collation, which Java cannot reproduce). The ranks of the other rows stay valid, so the
     * sorted orders are carried over: the SKU and name orders as they are, the others by moving only the changed
     * rows.
     */
    public StatusSnapshot patched(long version, String dbSnapshot, Map<String, Change> changes) {
        List<Entry> entries = new ArrayList<>(bySku);
        List<Integer> changed = new ArrayList<>(changes.size());
        for (Map.Entry<String, Change> c : changes.entrySet()) {
            Integer i = indexOfSku.get(c.getKey());
            if (i == null || c.getValue().row() == null) {
                return null;
            }
            Entry old = bySku.get(i);
            SyncStatusRow row = c.getValue().row();
            if (!Objects.equals(old.row().name(), row.name())) {
                return null;
            }
            entries.set(i, new Entry(row, old.skuRank(), old.nameRank(), c.getValue().oldestOpen()));
            changed.add(i);
        }
        // entries is this method's own copy: wrapped, not copied a second time.
        StatusSnapshot next = new StatusSnapshot(storeId, version, dbSnapshot, dbStarted,
                Collections.unmodifiableList(entries), lowerSku, lowerName, indexOfSku);
        orders.forEach((key, order) -> {
            String field = key.substring(0, key.indexOf(','));
            boolean desc = key.endsWith(",desc");
            next.orders.put(key, field.equals("sku") || field.equals("name") ? order
                    : next.reordered(order, changed, comparator(field, desc)));
        });
        return next;
    }

    /** {@code order} (sorted by the old rows) with the changed indexes taken out and put back where they now belong. */
    private List<Integer> reordered(List<Integer> order, List<Integer> changed, Comparator<Entry> cmp) {
        boolean[] moving = new boolean[bySku.size()];
        changed.forEach(i -> moving[i] = true);
        List<Integer> idx = new ArrayList<>(order.size());
        for (int i : order) {
            if (!moving[i]) {
                idx.add(i);
            }
        }
        for (int i : changed) {
            int at = Collections.binarySearch(idx, i, (a, b) -> cmp.compare(bySku.get(a), bySku.get(b)));
            // Never found: the comparator ends on the SKU's rank, unique per row.
            idx.add(at < 0 ? -at - 1 : at, i);
        }
        return Collections.unmodifiableList(idx);
    }

    public int size() {
        return bySku.size();
    }

    /** The page {@code req} asks for, at this snapshot's version. */
    public SyncStatusPage page(SyncStatusQuery.Request req, OffsetDateTime now) {
        String q = req.q() == null ? null : req.q().toLowerCase(Locale.ROOT);
        long offset = (long) req.page() * req.size();
        long total = 0;
        List<SyncStatusRow> items = new ArrayList<>();
        for (int i : order(req.sortField(), req.descending())) {
            SyncStatusRow r = bySku.get(i).row();
            if (req.status() != null && r.status() != req.status()) {
                continue;
            }
            if (q != null && !lowerSku.get(i).contains(q) && (lowerName.get(i) == null || !lowerName.get(i).contains(q))) {
                continue;
            }
            if (total >= offset && items.size() < req.size()) {
                items.add(r);
            }
            total++;
        }
        Long age = oldestPendingAt == null ? null
                : Math.round(Duration.between(oldestPendingAt, now).toMillis() / 1000.0);
        SyncStatusPage.Summary summary = new SyncStatusPage.Summary(bySku.size(), new EnumMap<>(counts), queueDepth,
                deadMovements, oldestPendingAt, age);
        return new SyncStatusPage(storeId, items, req.page(), req.size(), total,
                req.sortField() + (req.descending() ? ",desc" : ",asc"), summary);
    }

    /** Indexes into {@code bySku} in the order {@code column DIR NULLS LAST, sku ASC} (SyncStatusQuery's ORDER BY). */
    private List<Integer> order(String field, boolean desc) {
        if (field.equals("sku") && !desc) {
            return identity();
        }
        return orders.computeIfAbsent(field + (desc ? ",desc" : ",asc"), k -> sorted(field, desc));
    }

    private List<Integer> identity() {
        return orders.computeIfAbsent("sku,asc", k -> {
            List<Integer> all = new ArrayList<>(bySku.size());
            for (int i = 0; i < bySku.size(); i++) {
                all.add(i);
            }
            return List.copyOf(all);
        });
    }

    private List<Integer> sorted(String field, boolean desc) {
        Comparator<Entry> full = comparator(field, desc);
        // Not identity(): this runs inside orders.computeIfAbsent, which must not update the map again.
        List<Integer> idx = new ArrayList<>(bySku.size());
        for (int i = 0; i < bySku.size(); i++) {
            idx.add(i);
        }
        idx.sort((a, b) -> full.compare(bySku.get(a), bySku.get(b)));
        return List.copyOf(idx);
    }

    private static Comparator<Entry> comparator(String field, boolean desc) {
        Comparator<Entry> byValue = switch (field) {
            case "sku" -> Comparator.comparingLong(Entry::skuRank);
            case "name" -> nullsLast(e -> e.row().name() == null ? null : e.nameRank(), desc);
            case "storeStock" -> nullsLast(e -> e.row().storeStock(), desc);
            case "contificoStock" -> nullsLast(e -> e.row().contificoStock(), desc);
            // PostgreSQL sorts the status as text; the names are plain upper-case ASCII, so any collation agrees.
            case "status" -> nullsLast(e -> e.row().status().name(), desc);
            case "lastUpdatedAt" -> nullsLast(e -> e.row().lastUpdatedAt(), desc);
            case "pendingMovements" -> nullsLast(e -> e.row().pendingMovements(), desc);
            default -> throw new IllegalArgumentException("unknown sort " + field);
        };
        if (field.equals("sku") && desc) {
            byValue = byValue.reversed();
        }
        return byValue.thenComparingLong(Entry::skuRank);
    }

    /** NULLS LAST in both directions, as the SQL says; only non-null values are reversed for DESC. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<Entry> nullsLast(Function<Entry, Comparable> key, boolean desc) {
        Comparator<Comparable> natural = Comparator.naturalOrder();
        Comparator<Comparable> dir = desc ? natural.reversed() : natural;
        return Comparator.comparing(key, Comparator.nullsLast(dir));
    }
}
