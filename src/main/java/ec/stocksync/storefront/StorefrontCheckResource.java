package ec.stocksync.storefront;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.store.StoreService;
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
 * Tries a store's saved storefront credentials by reading the start of its catalogue, the first step a merchant wants
 * to see pass when connecting a store. Nothing is written, on either side. No database connection is held meanwhile:
 * the store is read in a session of its own before the storefront is called.
 */
@Path("/api/stores/{id}/storefront/check")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class StorefrontCheckResource {

    /** How many items the check shows: enough for the merchant to recognise their own SKUs. */
    static final int SAMPLE = 5;
    /**
     * The catalogue skips items without a SKU, so a new shop whose SKUs are not set up yet could be walked to its end:
     * the check reads for this long at most and reports what it found (the credentials worked if nothing failed).
     */
    static final java.time.Duration WINDOW = java.time.Duration.ofSeconds(10);

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
            return client.catalogue().select().first(WINDOW).select().first(SAMPLE).collect().asList()
                    .map(items -> new CheckResult(store.platform, base, items.size(),
                            items.stream().map(i -> UpstreamText.sanitize(i.sku())).toList()));
        }).onFailure(StorefrontException.class).transform(e -> StorefrontApiErrors.explain((StorefrontException) e));
    }
}
