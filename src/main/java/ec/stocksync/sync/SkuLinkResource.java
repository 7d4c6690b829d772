package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.StrictJson;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
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
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

/**
 * An operator's links of storefront SKUs to Contifico products, and "not synced" marks (issue 14 C). The SKU in the
 * path is URL-encoded; a SKU containing {@code /} cannot be named here.
 */
@Path("/api/stores/{id}/sku-links")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
@CustomDeserialization(StrictJson.class)
public class SkuLinkResource {

    static final int SKU_MAX = 200;
    static final String LIMIT_RULE = "must be between 1 and 500";

    @Inject
    CurrentCaller current;
    @Inject
    SkuLinks links;
    @Inject
    SkuLinkService service;

    @GET
    @Operation(summary = "The store's SKU links and not-synced marks, in SKU order")
    public Uni<List<SkuLinks.View>> list(@RestPath long id, @RestQuery String after,
                                         @RestQuery @Min(value = 1, message = LIMIT_RULE) @Max(value = 500, message = LIMIT_RULE) Integer limit) {
        current.get().requireStore(id);
        return links.list(id, after, limit == null ? 200 : limit);
    }

    @PUT
    @Path("/{sku}")
    @Operation(summary = "Link a storefront SKU to a Contifico product, or mark it as not synced")
    public Uni<SkuLinks.View> put(@RestPath long id, @RestPath String sku,
                                  @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                          schema = @Schema(implementation = SkuLinkRequest.class),
                                          examples = @ExampleObject(name = "example", value = SkuLinkRequest.EXAMPLE)))
                                  @NotNull @Valid SkuLinkRequest body) {
        current.get().requireStore(id);
        String valid = sku(sku);
        String by = current.get().label();
        return Boolean.TRUE.equals(body.notSynced()) ? links.markNotSynced(id, valid, by)
                : service.link(id, valid, body.contificoProductId(), by);
    }

    @DELETE
    @Path("/{sku}")
    @Operation(summary = "Unlink a storefront SKU (or remove its not-synced mark): it is matched by code again")
    public Uni<Void> delete(@RestPath long id, @RestPath String sku) {
        current.get().requireStore(id);
        String valid = sku(sku);
        return links.unlink(id, valid).invoke(found -> {
            if (!found) {
                throw ApiException.notFound("link_not_found", "SKU '" + valid + "' of store " + id
                        + " has no link and no not-synced mark");
            }
        }).replaceWithVoid();
    }

    /** The decoded SKU of the path: 1 to 200 characters, not blank, no NUL. */
    static String sku(String sku) {
        if (sku == null || sku.isBlank() || sku.codePointCount(0, sku.length()) > SKU_MAX || sku.indexOf('\0') >= 0) {
            throw ApiException.invalidField("sku", "the SKU in the path must be 1 to " + SKU_MAX
                    + " characters, URL-encoded, not blank, without NUL");
        }
        return sku;
    }
}
