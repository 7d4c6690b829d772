package ec.stocksync.sync;

import ec.stocksync.common.JsonText;
import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoProduct;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontItem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a store's catalogue on both sides: every storefront SKU with its ids and stock in the cache, and its Contifico
 * product when Contifico lists one with that codigo. Re-runnable. SKUs on one side only are reported, not dropped:
 * they are what the merchant has to fix.
 */
@ApplicationScoped
public class CatalogImportService {

    private static final Logger LOG = Logger.getLogger(CatalogImportService.class);
    /** Contifico pages slowly (up to ~11 s a page): few, large pages. */
    static final int CONTIFICO_PAGE_SIZE = 500;
    static final int UPSERT_CHUNK = 500;

    @Inject
    StoreContexts contexts;
    @Inject
    StorefrontClients storefronts;
    @Inject
    ContificoClient contifico;
    @Inject
    Pool pool;
    @Inject
    StockCache cache;
    @Inject
    JsonText json;
    @Inject
    SkuLinks skuLinks;

    @RegisterForReflection
    public record Unmatched(String sku, String name, String reason) {
    }

    /** A storefront SKU an operator linked by hand, and the Contifico product it books. */
    @RegisterForReflection
    public record Linked(String sku, String name, String contificoProductId, String contificoCode,
                         String contificoName) {
    }

    /** A codigo Contifico lists on more than one product: none of them is taken for a SKU by code. */
    @RegisterForReflection
    public record DuplicateCode(String codigo, List<String> productIds) {
    }

    /**
     * {@code mapped} counts the SKUs matched by code and those linked by hand ({@code linked}); SKUs marked not synced
     * ({@code notSynced}) are in neither one-side list.
     */
    @RegisterForReflection
    public record ImportSummary(Long importId, long storeId, int storefrontSkus, int contificoProducts, int mapped,
                                List<Unmatched> storefrontOnly, List<Unmatched> contificoOnly,
                                List<String> duplicateStorefrontSkus, List<DuplicateCode> duplicateContificoCodes,
                                List<Linked> linked, List<String> notSynced, long durationMs) {
    }

    public Uni<ImportSummary> importCatalog(long storeId) {
        long started = System.nanoTime();
        return contexts.load(storeId, null).chain(ctx -> pool
                .preparedQuery("INSERT INTO catalog_imports (store_id, status) VALUES ($1, 'RUNNING') RETURNING id")
                .execute(Tuple.of(storeId)).map(rows -> rows.iterator().next().getLong(0))
                .chain(importId -> {
                    ContificoConnection conn = ContificoConnection.of(ctx.integration()).background();
                    Uni<List<StorefrontItem>> items = storefronts.forStore(ctx.store()).catalogue().collect().asList();
                    Uni<List<ContificoProduct>> products = contifico.catalogue(conn, CONTIFICO_PAGE_SIZE).collect().asList();
                    Uni<List<SkuLinks.View>> links = skuLinks.list(storeId, null, Integer.MAX_VALUE);
                    return Uni.combine().all().unis(items, products, links).asTuple()
                            .chain(t -> save(ctx, importId, t.getItem1(), t.getItem2(), t.getItem3(), started))
                            .call(summary -> finish(importId, "DONE", summary))
                            .onFailure().call(e -> finish(importId, "FAILED", Map.of("error", String.valueOf(e.getMessage()))));
                }));
    }

    private Uni<ImportSummary> save(StoreContext ctx, long importId, List<StorefrontItem> items,
                                    List<ContificoProduct> products, List<SkuLinks.View> links, long started) {
        // Never guess between duplicates: a codigo on two products maps no SKU by code; the operator links one by hand.
        Map<String, List<ContificoProduct>> allByCode = new LinkedHashMap<>();
        for (ContificoProduct p : products) {
            if (p.codigo() != null) {
                allByCode.computeIfAbsent(p.codigo().trim(), k -> new ArrayList<>()).add(p);
            }
        }
        Map<String, ContificoProduct> byCode = new HashMap<>();
        List<DuplicateCode> duplicateCodes = new ArrayList<>();
        allByCode.forEach((code, list) -> {
            if (list.size() == 1) {
                byCode.put(code, list.get(0));
            } else {
                duplicateCodes.add(new DuplicateCode(code, list.stream().map(ContificoProduct::id).toList()));
            }
        });
        Map<String, SkuLinks.View> linkBySku = new HashMap<>();
        java.util.Set<String> linkedProductIds = new java.util.HashSet<>();
        for (SkuLinks.View l : links) {
            if (l.notSynced() || !l.stale()) {
                linkBySku.put(l.sku(), l);
            }
            if (!l.notSynced() && !l.stale()) {
                linkedProductIds.add(l.contificoProductId());
            }
        }
        Map<String, StorefrontItem> bySku = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (StorefrontItem i : items) {
            if (bySku.putIfAbsent(i.sku(), i) != null) {
                duplicates.add(i.sku());
            }
        }
        List<Unmatched> storefrontOnly = new ArrayList<>();
        List<Linked> linked = new ArrayList<>();
        List<String> notSynced = new ArrayList<>();
        for (StorefrontItem i : bySku.values()) {
            SkuLinks.View link = linkBySku.get(i.sku());
            if (link != null && link.notSynced()) {
                notSynced.add(i.sku());
            } else if (link != null) {
                linked.add(new Linked(i.sku(), i.name(), link.contificoProductId(), link.contificoCode(),
                        link.contificoName()));
            } else if (byCode.containsKey(i.sku()) && linkedProductIds.contains(byCode.get(i.sku()).id())) {
                storefrontOnly.add(new Unmatched(i.sku(), i.name(), "Contifico's product with this codigo is linked by"
                        + " hand to another SKU: link this one to another product, or mark it not synced"));
            } else if (allByCode.containsKey(i.sku()) && !byCode.containsKey(i.sku())) {
                storefrontOnly.add(new Unmatched(i.sku(), i.name(), "Contifico lists " + allByCode.get(i.sku()).size()
                        + " products with this codigo: none is guessed; link the SKU to one by hand"));
            } else if (!byCode.containsKey(i.sku())) {
                storefrontOnly.add(new Unmatched(i.sku(), i.name(), "Contifico lists no product with this codigo (its v1"
                        + " catalogue only lists products with para_pos: true): create it there, fix the SKU, or link it"
                        + " by hand"));
            }
        }
        List<Unmatched> contificoOnly = new ArrayList<>();
        byCode.values().stream()
                .filter(p -> !bySku.containsKey(p.codigo().trim()) && !linkedProductIds.contains(p.id()))
                // Services and inactive products have no stock to sell online.
                .filter(p -> !"SER".equals(p.tipo()) && !"I".equals(p.estado()))
                .forEach(p -> contificoOnly.add(new Unmatched(p.codigo(), p.nombre(),
                        "not on the storefront: publish it with this SKU if it should be sold online, or link a SKU to it")));
        int mapped = bySku.size() - storefrontOnly.size() - notSynced.size();
        List<StorefrontItem> all = new ArrayList<>(bySku.values());
        Uni<Void> writes = Uni.createFrom().voidItem();
        for (int i = 0; i < all.size(); i += UPSERT_CHUNK) {
            List<StorefrontItem> chunk = all.subList(i, Math.min(all.size(), i + UPSERT_CHUNK));
            writes = writes.chain(() -> upsert(ctx.storeId(), chunk, byCode, linkedProductIds));
        }
        return writes.map(x -> {
            ImportSummary s = new ImportSummary(importId, ctx.storeId(), bySku.size(), products.size(), mapped,
                    storefrontOnly, contificoOnly, duplicates, duplicateCodes, linked, notSynced,
                    (System.nanoTime() - started) / 1_000_000);
            LOG.infof("catalogue import store=%d: %d storefront SKUs, %d Contifico products, %d mapped (%d linked by hand),"
                            + " %d storefront-only, %d Contifico-only, %d duplicate Contifico codes, %d not synced",
                    ctx.storeId(), s.storefrontSkus(), s.contificoProducts(), mapped, linked.size(),
                    storefrontOnly.size(), contificoOnly.size(), duplicateCodes.size(), notSynced.size());
            return s;
        });
    }

    private Uni<Void> upsert(long storeId, List<StorefrontItem> chunk, Map<String, ContificoProduct> byCode,
                             java.util.Set<String> linkedProductIds) {
        Map<String, String> contificoIds = new HashMap<>();
        for (StorefrontItem it : chunk) {
            ContificoProduct p = byCode.get(it.sku());
            if (p != null && !linkedProductIds.contains(p.id())) {
                contificoIds.put(it.sku(), p.id());
            }
        }
        return cache.importCatalogue(storeId, chunk, contificoIds);
    }

    private Uni<Void> finish(long importId, String status, Object summary) {
        return pool.preparedQuery("UPDATE catalog_imports SET status = $2, summary = $3::text::jsonb, finished_at = now() WHERE id = $1")
                .execute(Tuple.of(importId, status, json.of(summary))).replaceWithVoid();
    }
}
