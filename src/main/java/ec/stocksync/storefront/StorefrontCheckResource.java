package ec.stocksync.storefront;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.store.StoreService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

import java.util.List;

/**
 * Tries a store's saved storefront credentials with one read of its catalogue, the first step a merchant wants to see
 * pass when connecting a store. Nothing is written, on either side.
 */
@Path("/api/stores/{id}/storefront/check")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class StorefrontCheckResource {

    /** How many items the check reads: enough to show the merchant their own SKUs, one page on both platforms. */
    static final int SAMPLE = 5;

    @Inject
    CurrentCaller current;
    @Inject
    StoreService stores;
    @Inject
    StorefrontClients clients;

    @RegisterForReflection
    public record CheckResult(String platform, String apiBaseUrl, int itemsRead, List<String> sampleSkus) {
    }

    @POST
    @WithSession
    @Operation(summary = "Read a few catalogue items with the store's saved storefront credentials; writes nothing")
    public Uni<CheckResult> check(@RestPath long id) {
        current.get().requireStore(id);
        return stores.get(id).chain(store -> {
            StorefrontClient client;
            String base;
            try {
                base = StorefrontClients.baseUrlOf(store);
                client = clients.forStore(store);
            } catch (StorefrontException e) {
                return Uni.createFrom().failure(e);
            }
            return client.catalogue().select().first(SAMPLE).collect().asList()
                    .map(items -> new CheckResult(store.platform, base, items.size(),
                            items.stream().map(i -> UpstreamText.sanitize(i.sku())).toList()));
        }).onFailure(StorefrontException.class).transform(e -> StorefrontApiErrors.explain((StorefrontException) e));
    }
}
