package ec.stocksync.store;

/** A store with the Contifico integration its stock follows, as the worker and the pulls need them. */
public record StoreContext(Store store, StoreIntegration integration) {

    public long storeId() {
        return store.id;
    }

    public long integrationId() {
        return integration.id;
    }
}
