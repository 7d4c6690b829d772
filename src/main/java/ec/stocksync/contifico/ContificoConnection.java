package ec.stocksync.contifico;

import ec.stocksync.store.StoreIntegration;

import java.util.Objects;

/**
 * Everything the client needs to talk to one tenant. {@code baseUrl} is the API root without version, e.g.
 * {@code https://api.contifico.com/sistema/api}; the client adds {@code /v1/...} or {@code /v2/...}.
 * The integration id keys the circuit breaker, so one tenant's outage does not stop the others.
 */
public record ContificoConnection(long integrationId, String baseUrl, String apiKey, String posToken, String warehouseId,
                                  Priority priority) {

    /**
     * Who is asking, for {@link ContificoPacer}: sales (pushes, their look-ups and post-push pulls, and interactive
     * checks) go before background work (full and delta pulls, catalogue imports).
     */
    public enum Priority { SALE, BACKGROUND }

    public ContificoConnection(long integrationId, String baseUrl, String apiKey, String posToken, String warehouseId) {
        this(integrationId, baseUrl, apiKey, posToken, warehouseId, Priority.SALE);
    }

    /** The same tenant, booking in (or reading) another of its warehouses. */
    public ContificoConnection withWarehouse(String otherWarehouseId) {
        return new ContificoConnection(integrationId, baseUrl, apiKey, posToken, otherWarehouseId, priority);
    }

    /** The same tenant, for background work that must never delay a sale. */
    public ContificoConnection background() {
        return new ContificoConnection(integrationId, baseUrl, apiKey, posToken, warehouseId, Priority.BACKGROUND);
    }

    public ContificoConnection {
        if (priority == null) {
            priority = Priority.SALE;
        }
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
    }

    /**
     * An integration not saved yet has no id: its calls go through no breaker ({@link ContificoExchange}) and no
     * cached client ({@link ContificoApis}).
     */
    static final long UNSAVED = -1;

    public static ContificoConnection of(StoreIntegration integration) {
        return new ContificoConnection(integration.id != null ? integration.id : UNSAVED, integration.baseUrl, integration.apiKey, integration.posToken,
                integration.warehouseId);
    }

    /** Never print the API key. */
    @Override
    public String toString() {
        return "ContificoConnection[integrationId=" + integrationId + ", baseUrl=" + baseUrl + ", warehouseId="
                + warehouseId + ", priority=" + priority + "]";
    }
}
