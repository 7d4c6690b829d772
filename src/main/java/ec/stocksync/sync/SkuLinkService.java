package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoException;
import ec.stocksync.contifico.ContificoProduct;
import ec.stocksync.store.StoreContexts;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Operators' links of storefront SKUs to Contifico products (issue 14 C): a link is checked against Contifico before it
 * is saved; the searches on both sides are bounded (results, pages, time).
 */
@ApplicationScoped
public class SkuLinkService {

    /** Results a search answers at most. */
    static final int MAX_RESULTS = 50;
    /** Contifico products a search reads at most (its v1 catalogue has no text search): a few pages. */
    static final int MAX_SCANNED = 2_000;
    static final int SEARCH_PAGE_SIZE = 500;
    /** A search answers what it found within this time. */
    static final Duration SEARCH_TIME = Duration.ofSeconds(20);

    @Inject
    StoreContexts contexts;
    @Inject
    ContificoClient contifico;
    @Inject
    SkuLinks links;
    @Inject
    StockCache cache;

    @RegisterForReflection
    public record ContificoHit(String id, String codigo, String nombre, String estado, boolean paraPos,
                               String linkedSku) {
    }

    /** {@code partial}: more might match beyond what was read (results, pages or time ran out). */
    @RegisterForReflection
    public record ContificoSearch(List<ContificoHit> items, int scanned, boolean partial) {
    }

    @RegisterForReflection
    public record StorefrontHit(String sku, String name, Integer storeStock, String contificoProductId,
                                String linkedProductId, boolean notSynced) {
    }

    /** Links the SKU to the product, once Contifico confirms the product exists. */
    public Uni<SkuLinks.View> link(long storeId, String sku, String productId, String by) {
        return contexts.load(storeId, null).chain(ctx -> contifico.getProduct(ContificoConnection.of(ctx.integration()),
                        productId)
                .onFailure(e -> e instanceof ContificoException.NotFound)
                .transform(e -> ApiException.badRequest("unknown_contifico_product", "Contifico has no product with id '"
                        + productId + "' in this store's company: pick one from GET /api/stores/" + storeId
                        + "/catalog/contifico?q=..."))
                .onFailure(e -> e instanceof ContificoException)
                .transform(e -> ApiException.unavailable("contifico_unavailable", "Contifico could not confirm product '"
                        + productId + "': " + e.getMessage() + ". Nothing was changed; try again"))
                .chain(p -> links.link(storeId, sku, p.id(), p.codigo(), p.nombre(), by)));
    }

    /** Contifico products whose code or name contains {@code q} (case-insensitive), from the first catalogue pages. */
    public Uni<ContificoSearch> searchContifico(long storeId, String q) {
        String needle = q == null ? "" : q.trim().toLowerCase(Locale.ROOT);
        AtomicInteger scanned = new AtomicInteger();
        long started = System.nanoTime();
        return contexts.load(storeId, null).chain(ctx -> links.linkedProducts(storeId).chain(linked -> {
            java.util.Map<String, String> skuByProduct = new java.util.HashMap<>();
            linked.forEach((sku, id) -> skuByProduct.put(id, sku));
            return contifico.catalogue(ContificoConnection.of(ctx.integration()), SEARCH_PAGE_SIZE)
                    .select().first(MAX_SCANNED)
                    .select().first(SEARCH_TIME)
                    .invoke(p -> scanned.incrementAndGet())
                    .select().where(p -> matches(p, needle))
                    .select().first(MAX_RESULTS + 1)
                    .map(p -> new ContificoHit(p.id(), p.codigo(), p.nombre(), p.estado(), p.paraPos(),
                            skuByProduct.get(p.id())))
                    .collect().asList()
                    .onFailure(e -> e instanceof ContificoException)
                    .transform(e -> ApiException.unavailable("contifico_unavailable",
                            "Contifico's catalogue could not be read: " + e.getMessage()))
                    .map(hits -> {
                        boolean more = hits.size() > MAX_RESULTS;
                        List<ContificoHit> items = more ? hits.subList(0, MAX_RESULTS) : hits;
                        // Reading stopped before the end of the catalogue: by the cap, or by the time limit.
                        boolean cut = scanned.get() >= MAX_SCANNED || more
                                || System.nanoTime() - started >= SEARCH_TIME.toNanos();
                        return new ContificoSearch(List.copyOf(items), scanned.get(), cut);
                    });
        }));
    }

    /** Storefront items (as the last catalogue import and pulls recorded them) whose SKU or name contains {@code q}. */
    public Uni<List<StorefrontHit>> searchStorefront(long storeId, String q) {
        return cache.search(storeId, q == null ? "" : q.trim(), MAX_RESULTS);
    }

    private static boolean matches(ContificoProduct p, String needle) {
        return needle.isEmpty()
                || (p.codigo() != null && p.codigo().toLowerCase(Locale.ROOT).contains(needle))
                || (p.nombre() != null && p.nombre().toLowerCase(Locale.ROOT).contains(needle));
    }
}
