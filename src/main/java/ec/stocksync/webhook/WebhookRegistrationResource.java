package ec.stocksync.webhook;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.store.StoreService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** A store's webhook subscriptions on its storefront: listed, registered (or re-registered), removed. */
@Path("/api/stores/{id}/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class WebhookRegistrationResource {

    @Inject
    CurrentCaller current;
    @Inject
    StoreService stores;
    @Inject
    WebhookRegistrations registrations;

    @GET
    @Operation(summary = "The store's webhook subscriptions on its storefront, per topic this service needs")
    public Uni<WebhookRegistrations.Status> status(@RestPath long id) {
        current.get().requireStore(id);
        return stores.get(id).chain(registrations::status);
    }

    /** Registers what is missing; {@code replace=true} also removes our path on an old address. */
    @POST
    @Operation(summary = "Register the missing webhooks through the storefront's API (replace=true: also move ours off an old address)")
    public Uni<WebhookRegistrations.Status> register(@RestPath long id,
                                                    @RestQuery @Parameter(schema = @Schema(type = SchemaType.BOOLEAN)) String replace) {
        current.get().requireStore(id);
        boolean moveOld = strictBoolean("replace", replace);
        return stores.get(id).chain(store -> registrations.register(store, moveOld));
    }

    @DELETE
    @Operation(summary = "Remove this service's webhook subscriptions from the storefront")
    public Uni<WebhookRegistrations.Status> remove(@RestPath long id) {
        current.get().requireStore(id);
        return stores.get(id).chain(registrations::remove);
    }

    /** JAX-RS would read any word but "true" as false: "replace=yes" must not quietly mean no. */
    static boolean strictBoolean(String field, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ec.stocksync.common.ApiException.invalidField(field, "must be true or false");
        };
    }
}
