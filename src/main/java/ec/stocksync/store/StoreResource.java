package ec.stocksync.store;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.OutboundUrls;
import ec.stocksync.common.Requests;
import ec.stocksync.common.Sent;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.StrictJson;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.groups.Default;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;

import java.net.URI;
import java.util.List;

@Path("/api/stores")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@CustomDeserialization(StrictJson.class)
public class StoreResource {

    @Inject
    StoreService stores;
    @Inject
    OutboundUrls outbound;
    @Inject
    CurrentCaller current;
    @Inject
    Requests requests;

    /** Every store for an admin; a store token's own store only. */
    @GET
    @StoreScoped
    @Operation(summary = "List the stores the token may see")
    public Uni<List<StoreView>> list() {
        var caller = current.get();
        return stores.list().map(l -> l.stream().filter(s -> caller.canSee(s.id)).map(StoreView::of).toList());
    }

    /** Admin only: a store token cannot open a second tenant. */
    @POST
    @APIResponse(responseCode = "201", description = "The store, created; Location names it.",
            content = @Content(schema = @Schema(implementation = StoreView.class)))
    @Operation(summary = "Create a store (admin only)")
    public Uni<Response> create(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = StoreRequest.class),
                    examples = @ExampleObject(name = "example", value = StoreRequest.EXAMPLE)))
                    @NotNull Sent<StoreRequest> body) {
        var caller = current.get();
        requests.valid(body.value(), Requests.Whole.class);
        return outbound.check(StoreService.outboundUrls(body.value())).chain(() -> stores.create(body)).map(s -> {
            caller.touched(s.id);
            return Response.created(URI.create("/api/stores/" + s.id)).entity(StoreView.of(s)).build();
        });
    }

    @GET
    @Path("/{id}")
    @StoreScoped
    @Operation(summary = "Get a store")
    public Uni<StoreView> get(@RestPath long id) {
        current.get().requireStore(id);
        return stores.get(id).map(StoreView::of);
    }

    @PUT
    @Path("/{id}")
    @StoreScoped
    @Operation(summary = "Replace a store's settings (absent secrets are kept)")
    public Uni<StoreView> replace(@RestPath long id, @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = StoreRequest.class),
                    examples = @ExampleObject(name = "example", value = StoreRequest.EXAMPLE)))
                    @NotNull Sent<StoreRequest> body) {
        current.get().requireStore(id);
        requests.valid(body.value(), Requests.Whole.class);
        return outbound.check(StoreService.outboundUrls(body.value())).chain(() -> stores.replace(id, body)).map(StoreView::of);
    }

    @PATCH
    @Path("/{id}")
    @StoreScoped
    @Operation(summary = "Change the named fields of a store")
    public Uni<StoreView> patch(@RestPath long id, @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = StoreRequest.class),
                    examples = @ExampleObject(name = "example", value = StoreRequest.EXAMPLE_PATCH)))
                    @NotNull Sent<StoreRequest> body) {
        current.get().requireStore(id);
        requests.valid(body.value(), Default.class);
        return outbound.check(StoreService.outboundUrls(body.value())).chain(() -> stores.patch(id, body)).map(StoreView::of);
    }

    /** Admin only, like creation: a store's life cycle is the operator's. */
    @DELETE
    @Path("/{id}")
    @Operation(summary = "Deactivate a store (admin only); its history stays")
    public Uni<StoreView> deactivate(@RestPath long id) {
        current.get().requireStore(id);
        return stores.deactivate(id).map(StoreView::of);
    }

    @GET
    @Path("/{id}/integrations")
    @StoreScoped
    @Operation(summary = "List the store's Contifico integrations")
    public Uni<List<IntegrationView>> integrations(@RestPath long id) {
        current.get().requireStore(id);
        return stores.integrations(id).map(l -> l.stream().map(IntegrationView::of).toList());
    }

    @POST
    @Path("/{id}/integrations")
    @StoreScoped
    @APIResponse(responseCode = "201", description = "The integration, created after its credentials were checked.",
            content = @Content(schema = @Schema(implementation = IntegrationView.class)))
    @Operation(summary = "Connect the store to Contifico, after checking the key and warehouse")
    public Uni<Response> addIntegration(@RestPath long id, @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = IntegrationRequest.class),
                    examples = @ExampleObject(name = "example", value = IntegrationRequest.EXAMPLE)))
                    @NotNull Sent<IntegrationRequest> body) {
        current.get().requireStore(id);
        requests.valid(body.value(), Requests.Whole.class);
        return outbound.check(StoreService.outboundUrls(body.value())).chain(() -> stores.addIntegration(id, body)).map(i -> Response
                .created(URI.create("/api/stores/" + id + "/integrations/" + i.id))
                .entity(IntegrationView.of(i)).build());
    }

    @PATCH
    @Path("/{id}/integrations/{integrationId}")
    @StoreScoped
    @Operation(summary = "Change the named fields of an integration, checked against Contifico")
    public Uni<IntegrationView> patchIntegration(@RestPath long id, @RestPath long integrationId,
                                                @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = IntegrationRequest.class),
                    examples = @ExampleObject(name = "example", value = IntegrationRequest.EXAMPLE_PATCH)))
                    @NotNull Sent<IntegrationRequest> body) {
        current.get().requireStore(id);
        requests.valid(body.value(), Default.class);
        return outbound.check(StoreService.outboundUrls(body.value()))
                .chain(() -> stores.patchIntegration(id, integrationId, body)).map(IntegrationView::of);
    }

    @DELETE
    @Path("/{id}/integrations/{integrationId}")
    @StoreScoped
    @Operation(summary = "Deactivate an integration")
    public Uni<IntegrationView> deactivateIntegration(@RestPath long id, @RestPath long integrationId) {
        current.get().requireStore(id);
        return stores.deactivateIntegration(id, integrationId).map(IntegrationView::of);
    }
}
