package ec.stocksync.sync;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

/** Maps a store's SKUs on both sides; re-runnable. */
@Path("/api/stores/{id}/catalog")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class CatalogResource {

    @Inject
    CurrentCaller current;
    @Inject
    CatalogImportService catalog;
    @Inject
    SkuLinkService links;

    @POST
    @Path("/import")
    @Operation(summary = "Map the store's SKUs to Contifico products (re-runnable)")
    public Uni<CatalogImportService.ImportSummary> importCatalog(@RestPath long id) {
        current.get().requireStore(id);
        return catalog.importCatalog(id);
    }

    @GET
    @Path("/contifico")
    @Operation(summary = "Search Contifico products by code or name (bounded: first pages, 50 results, 20 s)")
    public Uni<SkuLinkService.ContificoSearch> searchContifico(@RestPath long id, @RestQuery String q) {
        current.get().requireStore(id);
        return links.searchContifico(id, query(q));
    }

    @GET
    @Path("/storefront")
    @Operation(summary = "Search the store's storefront items by SKU or name (as last imported; 50 results)")
    public Uni<List<SkuLinkService.StorefrontHit>> searchStorefront(@RestPath long id, @RestQuery String q) {
        current.get().requireStore(id);
        return links.searchStorefront(id, query(q));
    }

    private static String query(String q) {
        if (q != null && (q.length() > 200 || q.indexOf('\0') >= 0)) {
            throw ec.stocksync.common.ApiException.invalidField("q", "must be at most 200 characters, without NUL");
        }
        return q;
    }
}
