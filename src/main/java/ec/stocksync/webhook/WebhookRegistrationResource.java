package ec.stocksync.webhook;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.store.StoreService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
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
    @WithSession
    @Operation(summary = "The store's webhook subscriptions on its storefront, per topic this service needs")
    public Uni<WebhookRegistrations.Status> status(@RestPath long id) {
        current.get().requireStore(id);
        return stores.get(id).chain(registrations::status);
    }

    /** Registers what is missing; {@code replace=true} also removes our path on an old address. */
    @POST
    @WithSession
    @Operation(summary = "Register the missing webhooks through the storefront's API (replace=true: also move ours off an old address)")
    public Uni<WebhookRegistrations.Status> register(@RestPath long id, @RestQuery boolean replace) {
        current.get().requireStore(id);
        return stores.get(id).chain(store -> registrations.register(store, replace));
    }

    @DELETE
    @WithSession
    @Operation(summary = "Remove this service's webhook subscriptions from the storefront")
    public Uni<WebhookRegistrations.Status> remove(@RestPath long id) {
        current.get().requireStore(id);
        return stores.get(id).chain(registrations::remove);
    }
}
