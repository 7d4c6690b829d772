package ec.stocksync.access;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StrictJson;
import ec.stocksync.store.StoreService;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import org.jboss.resteasy.reactive.RestQuery;

import java.net.URI;
import java.util.List;

/**
 * Named API tokens, admin only (no {@link ec.stocksync.common.StoreScoped}): a store token can neither mint a token
 * nor see one. The secret is in the creation answer only.
 */
@Path("/api/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@CustomDeserialization(StrictJson.class)
public class TokenResource {

    static final int DEFAULT_DAYS = 90;
    static final int MAX_DAYS = 366;
    static final int NAME_MAX = 100;

    @Inject
    ApiTokens tokens;
    @Inject
    StoreService stores;
    @Inject
    CurrentCaller current;

    @GET
    @Operation(summary = "List API tokens (admin only)")
    public Uni<List<ApiToken>> list(@RestQuery Long storeId) {
        return tokens.list(storeId);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get an API token (admin only)")
    public Uni<ApiToken> get(@RestPath long id) {
        return tokens.find(id).map(t -> found(t, id));
    }

    /** 201 with the token in {@code token}; it cannot be shown again. */
    @POST
    @APIResponse(responseCode = "201", description = "The token, with its secret: shown this once, stored only as a hash.",
            content = @Content(schema = @Schema(implementation = ApiToken.class)))
    @Operation(summary = "Create an API token (admin only); its secret is shown once")
    public Uni<Response> create(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TokenRequest.class),
                    examples = @ExampleObject(name = "example", value = TokenRequest.EXAMPLE)))
                    @NotNull @Valid TokenRequest body) {
        String name = body.name();
        String access = body.access();
        Long storeId = body.storeId();
        Integer days = body.expiresInDays();
        String createdBy = current.get().label();
        if (storeId != null) {
            current.get().touched(storeId);
        }
        Uni<Void> storeExists = storeId == null ? Uni.createFrom().voidItem() : stores.get(storeId).replaceWithVoid();
        return storeExists.chain(() -> tokens.create(name, storeId, access.equals("read-write"),
                        days == null ? DEFAULT_DAYS : days, createdBy))
                .map(t -> Response.created(URI.create("/api/tokens/" + t.id())).entity(t).build());
    }

    /** Revoked at once: the next request with it is a 401. Revoking again changes nothing. */
    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke an API token (admin only)")
    public Uni<ApiToken> revoke(@RestPath long id) {
        return tokens.revoke(id).map(t -> {
            ApiToken token = found(t, id);
            if (token.storeId() != null) {
                current.get().touched(token.storeId());
            }
            return token;
        });
    }

    private static ApiToken found(ApiToken t, long id) {
        if (t == null) {
            throw ApiException.notFound("token_not_found", "No token with id " + id + ".");
        }
        return t;
    }
}
