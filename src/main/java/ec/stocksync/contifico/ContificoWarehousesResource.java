package ec.stocksync.contifico;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.OutboundUrls;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.StrictJson;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.store.StoreIntegration;
import ec.stocksync.store.StoreService;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.RestPath;

import java.util.List;
import java.util.Map;

/**
 * The warehouses (bodegas) a Contifico key can see, so a merchant picks one from a list instead of typing an id: while
 * connecting a store (POST, the key not saved yet) or with the store's saved integration (GET). Nothing is saved.
 */
@Path("/api/stores/{id}/contifico/warehouses")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
@CustomDeserialization(StrictJson.class)
public class ContificoWarehousesResource {

    @Inject
    CurrentCaller current;
    @Inject
    StoreService stores;
    @Inject
    ContificoClient client;
    @Inject
    OutboundUrls outbound;

    @RegisterForReflection
    public record WarehouseView(String id, String code, String name) {
        static WarehouseView of(Warehouse w) {
            return new WarehouseView(UpstreamText.sanitize(w.id()), UpstreamText.sanitize(w.codigo()),
                    UpstreamText.sanitize(w.nombre()));
        }
    }

    /** The warehouses of the store's saved integration (e.g. to pick another one), read-only tokens included. */
    @GET
    @Operation(summary = "List the warehouses the store's saved Contifico integration sees")
    public Uni<List<WarehouseView>> saved(@RestPath long id) {
        current.get().requireStore(id);
        return list(stores.activeIntegration(id).map(saved -> {
            if (saved == null) {
                throw ApiException.badRequest("no_integration", "Store " + id + " has no active Contifico integration:"
                        + " POST {\"apiKey\"} here to list the warehouses of a key before connecting it.");
            }
            return ContificoConnection.of(saved);
        }));
    }

    /** The warehouses a key sees before it is saved, so the merchant picks one from a list; nothing is saved. */
    @POST
    @Operation(summary = "List the warehouses a Contifico key sees, before it is saved")
    public Uni<List<WarehouseView>> probe(@RestPath long id,
                                          @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                                  schema = @Schema(implementation = WarehouseListRequest.class),
                                                  examples = @ExampleObject(name = "example", value = WarehouseListRequest.EXAMPLE)))
                                          @NotNull @Valid WarehouseListRequest body) {
        current.get().requireStore(id);
        StoreIntegration probe = new StoreIntegration();
        probe.apiKey = body.apiKey();
        probe.baseUrl = body.baseUrl() != null ? body.baseUrl() : StoreIntegration.DEFAULT_CONTIFICO_BASE_URL;
        probe.warehouseId = "";
        // The key goes to this address: it must pass the same policy as a saved integration's (no internal hosts).
        return list(stores.get(id).chain(store -> outbound.check(Map.of("baseUrl", probe.baseUrl)))
                .map(ok -> ContificoConnection.of(probe)));
    }

    private Uni<List<WarehouseView>> list(Uni<ContificoConnection> connection) {
        return connection.chain(conn -> client.warehouses(conn))
                .map(list -> list.stream().map(WarehouseView::of).toList())
                .onFailure(ContificoException.class).transform(e -> {
                    ContificoException ce = (ContificoException) e;
                    if (ce.status() == 401 || ce.status() == 403) {
                        return ApiException.invalidField("apiKey", "Contifico refused this API key (HTTP " + ce.status() + ")");
                    }
                    return new ApiException(502, "contifico_unreachable", "Contifico did not answer the warehouse list ("
                            + UpstreamText.sanitize(ce.getMessage()) + "); try again in a moment.");
                });
    }
}
