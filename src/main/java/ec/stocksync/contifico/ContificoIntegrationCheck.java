package ec.stocksync.contifico;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.store.IntegrationVerifier;
import ec.stocksync.store.StoreIntegration;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.stream.Collectors;

/**
 * Checks an integration against Contifico before it is saved. A mistyped warehouse would read as "no stock" for every
 * SKU and a full pull would publish 0 everywhere; a wrong key would send every sale into retries. When Contifico
 * cannot be reached the integration is accepted (the check cannot tell), with a warning.
 */
@ApplicationScoped
public class ContificoIntegrationCheck implements IntegrationVerifier {

    private static final Logger LOG = Logger.getLogger(ContificoIntegrationCheck.class);

    @Inject
    ContificoClient client;

    @Override
    public Uni<Void> verify(StoreIntegration integration) {
        ContificoConnection conn = ContificoConnection.of(integration);
        return client.warehouses(conn)
                .onItem().invoke(list -> {
                    if (list.stream().noneMatch(w -> integration.warehouseId.equals(w.id()))) {
                        throw ApiException.invalidField("warehouseId", "Contifico has no warehouse (bodega) with id "
                                + integration.warehouseId + "; its warehouses are: " + UpstreamText.sanitize(list.stream()
                                .map(w -> w.id() + " (" + w.nombre() + ")").collect(Collectors.joining(", "))));
                    }
                })
                .replaceWithVoid()
                .onFailure(ContificoException.class).recoverWithUni(e -> {
                    ContificoException ce = (ContificoException) e;
                    if (ce.status() == 401 || ce.status() == 403) {
                        return Uni.createFrom().failure(ApiException.invalidField("apiKey",
                                "Contifico refused this API key (HTTP " + ce.status() + ")"));
                    }
                    LOG.warnf("could not check integration against Contifico at %s (%s): saved unchecked",
                            integration.baseUrl, ce.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }
}
