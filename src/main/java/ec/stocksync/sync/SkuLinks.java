package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.contifico.ProductLinks;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The table {@code sku_links}: an operator's link of a storefront SKU to a Contifico product, or the mark that the SKU
 * is not synced. The resolver reads it first ({@link ProductLinks}); a link's product id is also written to the stock
 * cache in the same transaction (the pulls and the delta signals map product ids to SKUs there), and an unlink clears
 * the cache's id, so the next resolve matches by code again.
 */
@ApplicationScoped
public class SkuLinks implements ProductLinks {

    /** The one-SKU-per-product index: a concurrent link of the same product is refused like one seen beforehand. */
    static final String ONE_SKU_PER_PRODUCT = "sku_links_one_sku_per_product";

    @Inject
    Pool pool;

    /** A row as the API lists it. {@code stale}: made for another Contifico company, not used until confirmed again. */
    @RegisterForReflection
    public record View(String sku, String contificoProductId, String contificoCode, String contificoName,
                       boolean notSynced, boolean stale, String createdBy, OffsetDateTime createdAt,
                       OffsetDateTime updatedAt) {
    }

    @Override
    public Uni<Link> link(long storeId, String sku) {
        return pool.preparedQuery("""
                        SELECT contifico_product_id, contifico_code, contifico_name, not_synced FROM sku_links
                        WHERE store_id = $1 AND storefront_sku = $2 AND NOT stale""")
                .execute(Tuple.of(storeId, sku))
                .map(rows -> {
                    for (Row r : rows) {
                        return new Link(r.getString(0), r.getString(1), r.getString(2), r.getBoolean(3));
                    }
                    return null;
                });
    }

    @Override
    public Uni<String> linkedSku(long storeId, String productId) {
        return pool.preparedQuery("""
                        SELECT storefront_sku FROM sku_links
                        WHERE store_id = $1 AND contifico_product_id = $2 AND NOT stale""")
                .execute(Tuple.of(storeId, productId))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
    }

    /** The store's links and marks, in SKU order, at most {@code limit}, optionally only SKUs from {@code after}. */
    public Uni<List<View>> list(long storeId, String after, int limit) {
        return pool.preparedQuery("""
                        SELECT * FROM sku_links WHERE store_id = $1 AND ($2::text IS NULL OR storefront_sku > $2)
                        ORDER BY storefront_sku LIMIT $3""")
                .execute(Tuple.of(storeId, after, limit))
                .map(rows -> {
                    List<View> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    public Uni<View> get(long storeId, String sku) {
        return pool.preparedQuery("SELECT * FROM sku_links WHERE store_id = $1 AND storefront_sku = $2")
                .execute(Tuple.of(storeId, sku))
                .map(rows -> rows.iterator().hasNext() ? view(rows.iterator().next()) : null);
    }

    /**
     * Links the SKU to the product (a stale link or a "not synced" mark of the SKU is replaced), and writes the id to
     * the stock cache, in one transaction. Another SKU of the store already linked to the product: 409
     * {@code product_already_linked}, naming it.
     */
    public Uni<View> link(long storeId, String sku, String productId, String code, String name, String by) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                                SELECT storefront_sku FROM sku_links WHERE store_id = $1 AND contifico_product_id = $2
                                AND NOT stale AND storefront_sku <> $3""")
                        .execute(Tuple.of(storeId, productId, sku))
                        .chain(rows -> {
                            if (rows.iterator().hasNext()) {
                                throw alreadyLinked(productId, code, rows.iterator().next().getString(0));
                            }
                            // A storefront SKU matched to the product by code books it too: one SKU per product.
                            return tx.preparedQuery("""
                                            SELECT c.sku FROM stock_cache c
                                            WHERE c.store_id = $1 AND c.contifico_product_id = $2 AND c.sku <> $3
                                              AND c.storefront_product_id IS NOT NULL AND NOT (""" + NOT_SYNCED_OF_CACHE_ROW
                                            + ") LIMIT 1")
                                    .execute(Tuple.of(storeId, productId, sku));
                        })
                        .chain(rows -> {
                            if (rows.iterator().hasNext()) {
                                throw alreadyLinked(productId, code, rows.iterator().next().getString(0));
                            }
                            return tx.preparedQuery("""
                                            INSERT INTO sku_links (store_id, storefront_sku, contifico_product_id,
                                                                   contifico_code, contifico_name, not_synced, created_by)
                                            VALUES ($1, $2, $3, $4, $5, FALSE, $6)
                                            ON CONFLICT (store_id, storefront_sku) DO UPDATE SET
                                                contifico_product_id = EXCLUDED.contifico_product_id,
                                                contifico_code = EXCLUDED.contifico_code,
                                                contifico_name = EXCLUDED.contifico_name,
                                                not_synced = FALSE, stale = FALSE,
                                                created_by = EXCLUDED.created_by, updated_at = now()
                                            RETURNING *""")
                                    .execute(Tuple.from(new Object[]{storeId, sku, productId, code, name, by}));
                        })
                        .call(() -> cacheProductId(tx, storeId, sku, productId, name)))
                .map(rows -> view(rows.iterator().next()))
                .onFailure(SkuLinks::oneSkuPerProduct)
                .transform(e -> alreadyLinked(productId, code, null));
    }

    /** Marks the SKU as not synced (replacing a link); pulls skip it and its sales go DEAD without a Contifico call. */
    public Uni<View> markNotSynced(long storeId, String sku, String by) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                                INSERT INTO sku_links (store_id, storefront_sku, not_synced, created_by)
                                VALUES ($1, $2, TRUE, $3)
                                ON CONFLICT (store_id, storefront_sku) DO UPDATE SET
                                    contifico_product_id = NULL, contifico_code = NULL, contifico_name = NULL,
                                    not_synced = TRUE, stale = FALSE, created_by = EXCLUDED.created_by, updated_at = now()
                                RETURNING *, (SELECT contifico_product_id FROM sku_links o
                                              WHERE o.store_id = $1 AND o.storefront_sku = $2) AS before""")
                        .execute(Tuple.of(storeId, sku, by))
                        .call(rows -> forgetLinkedId(tx, storeId, sku, rows.iterator().next().getString("before"))))
                .map(rows -> view(rows.iterator().next()));
    }

    /**
     * Removes the SKU's link or mark: the SKU is matched by code again (the cache's id, if the link's, is cleared).
     * False when it had none.
     */
    public Uni<Boolean> unlink(long storeId, String sku) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                                DELETE FROM sku_links WHERE store_id = $1 AND storefront_sku = $2
                                RETURNING contifico_product_id""")
                        .execute(Tuple.of(storeId, sku))
                        .chain(rows -> {
                            if (!rows.iterator().hasNext()) {
                                return Uni.createFrom().item(false);
                            }
                            return forgetLinkedId(tx, storeId, sku, rows.iterator().next().getString(0)).replaceWith(true);
                        }));
    }

    /** SKU → product id of the store's links in use (not stale, not "not synced"). */
    public Uni<java.util.Map<String, String>> linkedProducts(long storeId) {
        return pool.preparedQuery("""
                        SELECT storefront_sku, contifico_product_id FROM sku_links
                        WHERE store_id = $1 AND NOT stale AND contifico_product_id IS NOT NULL""")
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    java.util.Map<String, String> out = new java.util.HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), r.getString(1)));
                    return out;
                });
    }

    /** The store's SKUs marked not synced. */
    public Uni<java.util.Set<String>> notSynced(long storeId) {
        return pool.preparedQuery("SELECT storefront_sku FROM sku_links WHERE store_id = $1 AND not_synced")
                .execute(Tuple.of(storeId))
                .map(rows -> {
                    java.util.Set<String> out = new java.util.TreeSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /**
     * A fragment for a statement on {@code stock_cache} aliased {@code c}: true when an operator marked the row's SKU
     * as not synced.
     */
    static final String NOT_SYNCED_OF_CACHE_ROW = """
            EXISTS (SELECT 1 FROM sku_links l WHERE l.store_id = c.store_id AND l.storefront_sku = c.sku
                    AND l.not_synced)""";

    private static Uni<Void> cacheProductId(SqlClient tx, long storeId, String sku, String productId, String name) {
        return tx.preparedQuery("""
                        INSERT INTO stock_cache (store_id, sku, name, contifico_product_id) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (store_id, sku) DO UPDATE SET contifico_product_id = EXCLUDED.contifico_product_id,
                            name = coalesce(stock_cache.name, EXCLUDED.name),
                            -- Another product's figure: the next delta pull reads the SKU afresh.
                            contifico_total_seen = CASE WHEN stock_cache.contifico_product_id
                                IS NOT DISTINCT FROM EXCLUDED.contifico_product_id
                                THEN stock_cache.contifico_total_seen END,
                            updated_at = now()""")
                .execute(Tuple.of(storeId, sku, name, productId))
                .replaceWithVoid();
    }

    /** The cache's id of the SKU goes if it is the link's: the next resolve matches by code again. */
    private static Uni<Void> forgetLinkedId(SqlClient tx, long storeId, String sku, String linkedId) {
        if (linkedId == null) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("""
                        UPDATE stock_cache SET contifico_product_id = NULL, contifico_total_seen = NULL, updated_at = now()
                        WHERE store_id = $1 AND sku = $2 AND contifico_product_id = $3""")
                .execute(Tuple.of(storeId, sku, linkedId))
                .replaceWithVoid();
    }

    private static ApiException alreadyLinked(String productId, String code, String otherSku) {
        String product = code == null ? productId : code + " (" + productId + ")";
        return ApiException.conflict("product_already_linked", "Contifico product " + product + " is already linked to "
                + (otherSku == null ? "another storefront SKU" : "storefront SKU '" + otherSku + "'")
                + ": unlink that SKU (or mark it not synced) first; one Contifico product is booked for one SKU only");
    }

    private static boolean oneSkuPerProduct(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState())
                && pg.getConstraint() != null && pg.getConstraint().equals(ONE_SKU_PER_PRODUCT);
    }

    private static View view(Row r) {
        return new View(r.getString("storefront_sku"), r.getString("contifico_product_id"), r.getString("contifico_code"),
                r.getString("contifico_name"), r.getBoolean("not_synced"), r.getBoolean("stale"),
                r.getString("created_by"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
    }
}
