package ec.stocksync.sync;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

/** Maps a store's SKUs on both sides; re-runnable. */
@Path("/api/stores/{id}/catalog")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class CatalogResource {

    @Inject
    CurrentCaller current;
    @Inject
    CatalogImportService catalog;

    @POST
    @Path("/import")
    @Operation(summary = "Map the store's SKUs to Contifico products (re-runnable)")
    public Uni<CatalogImportService.ImportSummary> importCatalog(@RestPath long id) {
        current.get().requireStore(id);
        return catalog.importCatalog(id);
    }
}
