package ec.stocksync.contifico;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.JsonFields;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.store.StoreIntegration;
import ec.stocksync.store.StoreService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

import java.util.List;
import java.util.Set;

/**
 * The warehouses (bodegas) a Contifico key can see, so a merchant picks one from a list instead of typing an id: while
 * connecting a store (the key not saved yet) or, without a key in the body, with the store's saved integration.
 * Nothing is saved here.
 */
@Path("/api/stores/{id}/contifico/warehouses")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class ContificoWarehousesResource {

    @Inject
    CurrentCaller current;
    @Inject
    StoreService stores;
    @Inject
    ContificoClient client;

    @RegisterForReflection
    public record WarehouseView(String id, String code, String name) {
        static WarehouseView of(Warehouse w) {
            return new WarehouseView(UpstreamText.sanitize(w.id()), UpstreamText.sanitize(w.codigo()),
                    UpstreamText.sanitize(w.nombre()));
        }
    }

    @POST
    @WithSession
    public Uni<List<WarehouseView>> list(@RestPath long id, JsonNode body) {
        current.get().requireStore(id);
        boolean keyGiven = body != null && !body.isNull() && !body.isMissingNode() && body.size() > 0;
        JsonFields f = keyGiven ? JsonFields.of(body, Set.of("apiKey", "baseUrl")) : null;
        Uni<ContificoConnection> connection = stores.get(id).chain(store -> {
            if (keyGiven) {
                StoreIntegration probe = new StoreIntegration();
                probe.apiKey = f.requiredText("apiKey");
                String url = f.url("baseUrl");
                probe.baseUrl = url != null ? url : StoreIntegration.DEFAULT_CONTIFICO_BASE_URL;
                probe.warehouseId = "";
                return Uni.createFrom().item(ContificoConnection.of(probe));
            }
            return StoreIntegration.findActive(id).map(saved -> {
                if (saved == null) {
                    throw ApiException.badRequest("no_integration", "Store " + id + " has no active Contifico"
                            + " integration: send {\"apiKey\"} to list the warehouses of a key before connecting it.");
                }
                return ContificoConnection.of(saved);
            });
        });
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
