package ec.stocksync.store;

/**
 * A CDI event: the integration was deactivated, or now points at another Contifico (base URL or key). Whoever holds
 * something built from its old row (the Contifico clients and circuit breaker) drops it; the registry need not know
 * who that is, so {@code store} depends on none of them.
 */
public record IntegrationChanged(long integrationId) {
}
