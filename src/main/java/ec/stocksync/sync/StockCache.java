package ec.stocksync.sync;

import ec.stocksync.contifico.ProductIdCache;
import ec.stocksync.storefront.StorefrontItem;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;

/** The local cache per (store, SKU): "Stock Tienda", Contifico's last figure, the ids on both sides. */
@ApplicationScoped
public class StockCache implements ProductIdCache {

    @Inject
    Pool pool;

    /**
     * The cache's columns the status table shows for store {@code $1} ({@code sku, name, store_stock, contifico_stock,
     * last_checked_at, last_checked_trigger}), plus a row of nulls for each SKU of {@code extraSkus} (a relation with a
     * {@code sku} column, e.g. the open queue) that has no cache row: a sale of a SKU never pulled nor pushed yet still
     * belongs on the table. A fragment for the status page's single statement.
     */
    public static String statusColumns(String extraSkus) {
        return statusColumns(extraSkus, "FROM stock_cache c WHERE c.store_id = $1", "");
    }

    /**
     * {@link #statusColumns(String)} for the SKUs of {@code skus} only (a {@code text[]} expression; {@code extraSkus}
     * must be restricted the same way): a primary-key look-up per SKU for the status snapshot's patch. Each look-up is
     * a sub-select kept apart by {@code OFFSET 0}, so that a generic plan (the patch is a prepared statement) cannot
     * read the store's whole cache and filter the SKUs, as it did with {@code sku = ANY(...)} on a small store's
     * statistics.
     */
    public static String statusColumnsAmong(String extraSkus, String skus) {
        return statusColumns(extraSkus, "FROM unnest(" + skus + ") k(sku) CROSS JOIN LATERAL (SELECT * FROM stock_cache c"
                + " WHERE c.store_id = $1 AND c.sku = k.sku OFFSET 0) c", " OFFSET 0");
    }

    private static String statusColumns(String extraSkus, String cacheRows, String probeOnce) {
        return """
                SELECT c.sku, c.name, c.store_stock, c.contifico_stock, c.last_checked_at, c.last_checked_trigger
                %2$s
                UNION ALL
                SELECT q.sku, NULL, NULL, NULL, NULL, NULL FROM %1$s q
                WHERE NOT EXISTS (SELECT 1 FROM stock_cache c WHERE c.store_id = $1 AND c.sku = q.sku%3$s)""".formatted(
                extraSkus, cacheRows, probeOnce);
    }

    /**
     * A catalogue import's chunk: the storefront's names, ids and stock, and the Contifico id where the import matched
     * one ({@code contificoIdBySku}; an id already cached stays when none matched), or the linked one where an operator
     * linked the SKU ({@link SkuLinks}). One statement per chunk.
     */
    public Uni<Void> importCatalogue(long storeId, List<StorefrontItem> chunk, Map<String, String> contificoIdBySku) {
        int n = chunk.size();
        String[] skus = new String[n];
        String[] names = new String[n];
        String[] productIds = new String[n];
        String[] variantIds = new String[n];
        String[] inventoryItemIds = new String[n];
        Integer[] stocks = new Integer[n];
        String[] contificoIds = new String[n];
        for (int i = 0; i < n; i++) {
            StorefrontItem it = chunk.get(i);
            skus[i] = it.sku();
            names[i] = it.name();
            productIds[i] = it.productId();
            variantIds[i] = it.variantId();
            inventoryItemIds[i] = it.inventoryItemId();
            stocks[i] = it.stock();
            contificoIds[i] = contificoIdBySku.get(it.sku());
        }
        return pool.preparedQuery("""
                        INSERT INTO stock_cache (store_id, sku, name, storefront_product_id, storefront_variant_id,
                                                 inventory_item_id, store_stock, store_stock_updated_at, contifico_product_id)
                        -- An operator's link beats a match by code.
                        SELECT $1, r.sku, r.name, r.pid, r.vid, r.iid, r.stock, now(),
                               coalesce((SELECT l.contifico_product_id FROM sku_links l
                                         WHERE l.store_id = $1 AND l.storefront_sku = r.sku AND NOT l.stale
                                           AND l.contifico_product_id IS NOT NULL), r.cid)
                        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[])
                             AS r(sku, name, pid, vid, iid, stock, cid)
                        ON CONFLICT (store_id, sku) DO UPDATE SET
                            name = EXCLUDED.name,
                            storefront_product_id = EXCLUDED.storefront_product_id,
                            storefront_variant_id = EXCLUDED.storefront_variant_id,
                            inventory_item_id = EXCLUDED.inventory_item_id,
                            store_stock = EXCLUDED.store_stock,
                            store_stock_updated_at = now(),
                            contifico_product_id = coalesce(EXCLUDED.contifico_product_id, stock_cache.contifico_product_id),
                            updated_at = now()""")
                .execute(Tuple.from(new Object[]{storeId, skus, names, productIds, variantIds, inventoryItemIds, stocks,
                        contificoIds}))
                .replaceWithVoid();
    }

    /** The Contifico product ids cached for these SKUs (those without one are left out). */
    public Uni<Set<String>> productIdsOf(long storeId, String[] skus) {
        return pool.preparedQuery("SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = ANY($2)"
                        + " AND contifico_product_id IS NOT NULL")
                .execute(Tuple.of(storeId, skus))
                .map(rows -> {
                    Set<String> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getString(0)));
                    return ids;
                });
    }

    /**
     * A delta baseline's catalogue figures ({@code contifico_total_seen}), in the caller's transaction: each product's
     * new total where the figure is still the one the run read ({@code before}), and none for the SKUs the run did not
     * settle, whose figure is cleared.
     */
    public Uni<Void> recordSeenTotals(SqlClient tx, long storeId, String[] productIds, BigDecimal[] totals,
                                      BigDecimal[] before, String[] unsettledSkus) {
        return tx.preparedQuery("""
                        UPDATE stock_cache c SET contifico_total_seen = t.total
                        FROM unnest($2::text[], $3::numeric[], $5::numeric[]) AS t(product_id, total, before)
                        WHERE c.store_id = $1 AND c.contifico_product_id = t.product_id
                          AND c.sku <> ALL($4::text[])
                          AND c.contifico_total_seen IS DISTINCT FROM t.total
                          -- Moved during the run (a push adjusted it, a given-up pull cleared it): theirs stands.
                          AND c.contifico_total_seen IS NOT DISTINCT FROM t.before""")
                .execute(Tuple.of(storeId, productIds, totals, unsettledSkus, before))
                // Forgetting their figure makes the next delta pull flag them, whatever Contifico does meanwhile
                // (a storefront write that failed while Contifico stood still would otherwise never be retried).
                .chain(() -> tx.preparedQuery("UPDATE stock_cache SET contifico_total_seen = NULL"
                                + " WHERE store_id = $1 AND sku = ANY($2) AND contifico_total_seen IS NOT NULL")
                        .execute(Tuple.of(storeId, unsettledSkus)))
                .replaceWithVoid();
    }

    @Override
    public Uni<String> cachedProductId(long storeId, String sku) {
        return pool.preparedQuery("SELECT contifico_product_id FROM stock_cache WHERE store_id = $1 AND sku = $2")
                .execute(Tuple.of(storeId, sku))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
    }

    @Override
    public Uni<Void> rememberProductId(long storeId, String sku, String productName, String productId) {
        // The row may already exist for the storefront side (stock, ids): only the Contifico id is the resolver's to
        // set; the name is filled only if nobody set one.
        return pool.preparedQuery("INSERT INTO stock_cache (store_id, sku, name, contifico_product_id) VALUES ($1, $2, $3, $4) "
                        + "ON CONFLICT (store_id, sku) DO UPDATE SET contifico_product_id = EXCLUDED.contifico_product_id, "
                        + "name = COALESCE(stock_cache.name, EXCLUDED.name), updated_at = now()")
                .execute(Tuple.of(storeId, sku, productName, productId))
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> forgetProductId(long storeId, String sku) {
        return pool.preparedQuery("UPDATE stock_cache SET contifico_product_id = NULL, updated_at = now() "
                        + "WHERE store_id = $1 AND sku = $2")
                .execute(Tuple.of(storeId, sku))
                .replaceWithVoid();
    }

    /**
     * After a push: the storefront moved its own stock when it took the order, so the cached "Stock Tienda" follows
     * by the same amount; and the SKU is marked as just pushed, which full pulls respect.
     */
    public Uni<Void> applyPush(long storeId, String sku, int signedQuantity, boolean atOwnLocation) {
        return pool.preparedQuery("""
                        INSERT INTO stock_cache (store_id, sku, last_pushed_at) VALUES ($1, $2, now())
                        ON CONFLICT (store_id, sku) DO UPDATE
                        -- The cache keeps the store's own location: a sale at another one moves another figure.
                        SET store_stock = stock_cache.store_stock + CASE WHEN $4 THEN $3 ELSE 0 END,
                            last_pushed_at = now(), updated_at = now(),
                            -- Our own push moves Contifico's catalogue figure too: no delta pull needs to read it again.
                            contifico_total_seen = stock_cache.contifico_total_seen + $3""")
                .execute(Tuple.of(storeId, sku, signedQuantity, atOwnLocation))
                .replaceWithVoid();
    }

    /**
     * The storefront ids remembered for the SKU, as an item without stock, or null when it was never seen. Lets a pull
     * read the stock directly instead of searching by SKU (which on WooCommerce can walk every variable product).
     */
    public Uni<StorefrontItem> cachedItem(long storeId, String sku) {
        return pool.preparedQuery("""
                        SELECT name, storefront_product_id, storefront_variant_id, inventory_item_id FROM stock_cache
                        WHERE store_id = $1 AND sku = $2 AND storefront_product_id IS NOT NULL""")
                .execute(Tuple.of(storeId, sku))
                .map(rows -> {
                    for (var r : rows) {
                        return new StorefrontItem(sku, r.getString("name"), r.getString("storefront_product_id"),
                                r.getString("storefront_variant_id"), r.getString("inventory_item_id"), null, true);
                    }
                    return null;
                });
    }

    /** True when the SKU was pushed within {@code window} and its post-push pull went through. */
    public Uni<Boolean> pushedWithin(long storeId, String sku, Duration window) {
        return pool.preparedQuery("""
                        SELECT EXISTS (SELECT 1 FROM stock_cache WHERE store_id = $1 AND sku = $2
                                       AND last_pushed_at > now() - make_interval(secs => $3)
                                       AND pull_retry_at IS NULL AND pull_retry_attempts = 0)""")
                .execute(Tuple.of(storeId, sku, window.toMillis() / 1000.0))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * What a pull saw and wrote. {@code storeStock} null keeps the cached figure. A post-push pull that lands also
     * settles any retry of an earlier one that failed.
     */
    public Uni<Void> recordPull(long storeId, String sku, StorefrontItem item, Integer storeStock,
                                BigDecimal contificoStock, SyncTrigger trigger, java.time.OffsetDateTime readSince) {
        return pool.preparedQuery("""
                        INSERT INTO stock_cache (store_id, sku, name, storefront_product_id, storefront_variant_id,
                                                 inventory_item_id, store_stock, store_stock_updated_at,
                                                 contifico_stock, contifico_stock_at, last_checked_at, last_checked_trigger)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::int IS NULL THEN NULL ELSE now() END, $8, now(),
                                now(), $9)
                        ON CONFLICT (store_id, sku) DO UPDATE SET
                            name = coalesce(EXCLUDED.name, stock_cache.name),
                            storefront_product_id = coalesce(EXCLUDED.storefront_product_id, stock_cache.storefront_product_id),
                            storefront_variant_id = coalesce(EXCLUDED.storefront_variant_id, stock_cache.storefront_variant_id),
                            inventory_item_id = coalesce(EXCLUDED.inventory_item_id, stock_cache.inventory_item_id),
                            store_stock = coalesce(EXCLUDED.store_stock, stock_cache.store_stock),
                            store_stock_updated_at = coalesce(EXCLUDED.store_stock_updated_at, stock_cache.store_stock_updated_at),
                            contifico_stock = EXCLUDED.contifico_stock,
                            contifico_stock_at = now(),
                            last_checked_at = now(),
                            last_checked_trigger = EXCLUDED.last_checked_trigger,
                            pull_retry_at = CASE WHEN EXCLUDED.last_checked_trigger = 'SALE' THEN NULL
                                                 ELSE stock_cache.pull_retry_at END,
                            pull_retry_attempts = CASE WHEN EXCLUDED.last_checked_trigger = 'SALE' THEN 0
                                                       ELSE stock_cache.pull_retry_attempts END,
                            updated_at = now()
                        -- What was read before a newer record landed is not newer than it.
                        WHERE $10::timestamptz IS NULL OR stock_cache.contifico_stock_at IS NULL
                              OR stock_cache.contifico_stock_at <= $10""")
                .execute(Tuple.from(new Object[]{storeId, sku, item == null ? null : item.name(),
                        item == null ? null : item.productId(), item == null ? null : item.variantId(),
                        item == null ? null : item.inventoryItemId(), storeStock, contificoStock, trigger.name(),
                        readSince}))
                .replaceWithVoid();
    }

    /** A mapped SKU as a full pull needs it. */
    public record MappedSku(String sku, StorefrontItem item, String contificoProductId, boolean recentlyPushed,
                            boolean notSynced) {
    }

    /** The store's SKUs mapped on both sides, in SKU order, at most {@code limit} (null: all). */
    public Uni<List<MappedSku>> mapped(long storeId, Integer limit, Duration recentPushWindow) {
        return mapped("", "LIMIT $2", storeId, limit == null ? Integer.MAX_VALUE : limit, recentPushWindow);
    }

    /** Mapped SKUs, {@code filter} and {@code limit} on $2 (SQL text written here, never input). */
    private Uni<List<MappedSku>> mapped(String filter, String limit, long storeId, Object second,
                                        Duration recentPushWindow) {
        return pool.preparedQuery("""
                        SELECT sku, name, storefront_product_id, storefront_variant_id, inventory_item_id, store_stock,
                               contifico_product_id,
                               -- A post-push pull that failed does not own the SKU: the full pull reads it.
                               coalesce(last_pushed_at > now() - make_interval(secs => $3), FALSE)
                                 AND pull_retry_at IS NULL AND pull_retry_attempts = 0 AS recent,
                               %1$s AS not_synced
                        FROM stock_cache c
                        -- A SKU marked not synced is listed (the run reports it skipped), with or without a product.
                        WHERE store_id = $1 AND storefront_product_id IS NOT NULL
                          AND (contifico_product_id IS NOT NULL OR %1$s)
                        """.formatted(SkuLinks.NOT_SYNCED_OF_CACHE_ROW) + filter + " ORDER BY sku " + limit)
                .execute(Tuple.of(storeId, second, recentPushWindow.toMillis() / 1000.0))
                .map(rows -> {
                    List<MappedSku> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new MappedSku(r.getString("sku"),
                            new StorefrontItem(r.getString("sku"), r.getString("name"), r.getString("storefront_product_id"),
                                    r.getString("storefront_variant_id"), r.getString("inventory_item_id"),
                                    r.getInteger("store_stock"), true),
                            r.getString("contifico_product_id"), r.getBoolean("recent"), r.getBoolean("not_synced"))));
                    return out;
                });
    }

    /**
     * Records what a batch of a pull read and wrote, in one statement. SKUs held back are left alone: the figure they
     * were read with is already older than one of their movements. With {@code readSince} (figures read after that
     * instant, outside any push lock), a row recorded after it by someone else is newer and stays.
     */
    public Uni<Void> recordPulls(long storeId, List<SkuPullResult> results, SyncTrigger trigger,
                                 java.time.OffsetDateTime readSince) {
        List<SkuPullResult> seen = results.stream()
                .filter(r -> r.contificoStock() != null && !r.action().skipped() && r.action() != SyncAction.DRY_RUN)
                .toList();
        if (seen.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] skus = seen.stream().map(SkuPullResult::sku).toArray(String[]::new);
        Integer[] stocks = seen.stream().map(SkuPullResult::storeStockAfter).toArray(Integer[]::new);
        BigDecimal[] erp = seen.stream().map(SkuPullResult::contificoStock).toArray(BigDecimal[]::new);
        return pool.preparedQuery("""
                        UPDATE stock_cache c SET
                            store_stock = coalesce(r.stock, c.store_stock),
                            store_stock_updated_at = CASE WHEN r.stock IS NULL THEN c.store_stock_updated_at ELSE now() END,
                            contifico_stock = r.erp, contifico_stock_at = now(),
                            last_checked_at = now(), last_checked_trigger = $5, updated_at = now()
                        FROM unnest($2::text[], $3::int[], $4::numeric[]) AS r(sku, stock, erp)
                        WHERE c.store_id = $1 AND c.sku = r.sku
                          -- Figures read before a newer record landed (a post-push pull) do not replace it.
                          AND ($6::timestamptz IS NULL OR c.contifico_stock_at IS NULL OR c.contifico_stock_at <= $6)""")
                .execute(Tuple.from(new Object[]{storeId, skus, stocks, erp, trigger.name(), readSince}))
                .replaceWithVoid();
    }

    /** A post-push pull failed: try it again after {@code delay} (attempt {@code attempt} just failed). */
    public Uni<Void> schedulePullRetry(long storeId, String sku, int attempt, Duration delay) {
        return pool.preparedQuery("""
                        INSERT INTO stock_cache (store_id, sku, pull_retry_at, pull_retry_attempts)
                        VALUES ($1, $2, now() + make_interval(secs => $3), $4)
                        ON CONFLICT (store_id, sku) DO UPDATE
                        SET pull_retry_at = EXCLUDED.pull_retry_at, pull_retry_attempts = EXCLUDED.pull_retry_attempts,
                            updated_at = now()""")
                .execute(Tuple.of(storeId, sku, delay.toMillis() / 1000.0, attempt))
                .replaceWithVoid();
    }

    /**
     * No more retries: the SKU keeps a non-zero attempt count, so pulls no longer leave it alone as "recently pushed",
     * and the next delta pull reads it.
     */
    public Uni<Void> giveUpPullRetry(long storeId, String sku) {
        // Forgetting the catalogue figure makes the next delta pull read the SKU: our own push flags nothing there.
        return pool.preparedQuery("UPDATE stock_cache SET pull_retry_at = NULL, contifico_total_seen = NULL,"
                        + " updated_at = now() WHERE store_id = $1 AND sku = $2")
                .execute(Tuple.of(storeId, sku))
                .replaceWithVoid();
    }

    /** A post-push pull retry that is due, claimed for a while so no other replica runs it at the same time. */
    public record DueRetry(long storeId, String sku, int attempts) {
    }

    public Uni<List<DueRetry>> claimDueRetries(int max, Duration claimFor) {
        return pool.preparedQuery("""
                        UPDATE stock_cache c SET pull_retry_at = now() + make_interval(secs => $2)
                        FROM (SELECT store_id, sku FROM stock_cache
                              WHERE pull_retry_at <= now()
                              ORDER BY pull_retry_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
                        WHERE c.store_id = due.store_id AND c.sku = due.sku
                        RETURNING c.store_id, c.sku, c.pull_retry_attempts""")
                .execute(Tuple.of(max, claimFor.toMillis() / 1000.0))
                .map(rows -> {
                    List<DueRetry> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new DueRetry(r.getLong(0), r.getString(1), r.getInteger(2))));
                    return out;
                });
    }

    /** The catalogue figure last seen per Contifico product of the store's mapped SKUs (null when never seen). */
    public Uni<java.util.Map<String, BigDecimal>> totalsSeen(long storeId) {
        return pool.preparedQuery("""
                        SELECT contifico_product_id, contifico_total_seen FROM stock_cache
                        WHERE store_id = $1 AND contifico_product_id IS NOT NULL AND storefront_product_id IS NOT NULL""")
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    java.util.Map<String, BigDecimal> out = new java.util.HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), r.getBigDecimal(1)));
                    return out;
                });
    }

    /** The mapped SKUs of these Contifico products, in SKU order. */
    public Uni<List<MappedSku>> mappedByProduct(long storeId, java.util.Collection<String> productIds,
                                                Duration recentPushWindow) {
        return mapped("AND contifico_product_id = ANY($2)", "", storeId, productIds.toArray(new String[0]),
                recentPushWindow);
    }

    /**
     * The store's SKUs whose SKU or name contains {@code text} (case-insensitive), in SKU order, at most {@code limit},
     * with their link or mark ({@link SkuLinks}): what the operator searches when linking.
     */
    public Uni<List<SkuLinkService.StorefrontHit>> search(long storeId, String text, int limit) {
        String pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return pool.preparedQuery("""
                        SELECT c.sku, c.name, c.store_stock, c.contifico_product_id, l.contifico_product_id AS linked,
                               coalesce(l.not_synced, FALSE) AS not_synced
                        FROM stock_cache c
                        LEFT JOIN sku_links l ON l.store_id = c.store_id AND l.storefront_sku = c.sku AND NOT l.stale
                        WHERE c.store_id = $1 AND c.storefront_product_id IS NOT NULL
                          AND (c.sku ILIKE $2 OR c.name ILIKE $2)
                        ORDER BY c.sku LIMIT $3""")
                .execute(Tuple.of(storeId, pattern, limit))
                .map(rows -> {
                    List<SkuLinkService.StorefrontHit> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new SkuLinkService.StorefrontHit(r.getString("sku"), r.getString("name"),
                            r.getInteger("store_stock"), r.getString("contifico_product_id"), r.getString("linked"),
                            r.getBoolean("not_synced"))));
                    return out;
                });
    }
}
