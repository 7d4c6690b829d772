package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.StrictJson;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.store.StoreLocations;
import ec.stocksync.storefront.StorefrontLocation;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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

/**
 * A store's location map (issue 14 D): which Contifico warehouses each storefront location follows. Here because
 * checking it needs both Contifico and the storefront; the map itself belongs to {@code store}.
 */
@Path("/api/stores/{id}/locations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@StoreScoped
@CustomDeserialization(StrictJson.class)
public class LocationMapResource {

    @Inject
    CurrentCaller current;
    @Inject
    StoreLocations locations;
    @Inject
    LocationMapService service;
    @Inject
    StoreContexts contexts;

    @GET
    @Operation(summary = "The store's location map: each storefront location's Contifico warehouses ([]: none, the"
            + " store's location follows the integration's warehouse)")
    public Uni<List<StoreLocations.Location>> get(@RestPath long id) {
        current.get().requireStore(id);
        return contexts.exists(id).chain(exists -> {
            if (!exists) {
                throw ApiException.storeNotFound(id);
            }
            return locations.list(id);
        });
    }

    @PUT
    @Operation(summary = "Replace the store's location map, checked against Contifico's warehouses and the storefront's"
            + " locations ([] removes it)")
    public Uni<List<StoreLocations.Location>> replace(@RestPath long id,
                                                      @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                                              schema = @Schema(implementation = LocationMapRequest.class),
                                                              examples = @ExampleObject(name = "example", value = LocationMapRequest.EXAMPLE)))
                                                      @NotNull @Valid LocationMapRequest body) {
        current.get().requireStore(id);
        return service.replace(id, body, current.get().label());
    }

    @GET
    @Path("/storefront")
    @Operation(summary = "The storefront's active locations, to build the map from")
    public Uni<List<StorefrontLocation>> storefront(@RestPath long id) {
        current.get().requireStore(id);
        return service.storefrontLocations(id);
    }
}
