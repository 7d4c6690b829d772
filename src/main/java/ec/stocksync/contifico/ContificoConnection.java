package ec.stocksync.contifico;

import ec.stocksync.store.StoreIntegration;

import java.util.Objects;

/**
 * Everything the client needs to talk to one tenant. {@code baseUrl} is the API root without version, e.g.
 * {@code https://api.contifico.com/sistema/api}; the client adds {@code /v1/...} or {@code /v2/...}.
 * The integration id keys the circuit breaker, so one tenant's outage does not stop the others.
 */
public record ContificoConnection(long integrationId, String baseUrl, String apiKey, String posToken, String warehouseId) {

    public ContificoConnection {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
    }

    /** An integration not saved yet has no id: its calls share one breaker key of their own. */
    static final long UNSAVED = -1;

    public static ContificoConnection of(StoreIntegration integration) {
        return new ContificoConnection(integration.id != null ? integration.id : UNSAVED, integration.baseUrl, integration.apiKey, integration.posToken,
                integration.warehouseId);
    }

    /** Never print the API key. */
    @Override
    public String toString() {
        return "ContificoConnection[integrationId=" + integrationId + ", baseUrl=" + baseUrl + ", warehouseId="
                + warehouseId + "]";
    }
}
