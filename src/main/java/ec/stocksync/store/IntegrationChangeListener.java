package ec.stocksync.store;

import io.smallrye.mutiny.Uni;

/**
 * What other packages keep per store that an integration change makes stale. Implemented by the package that owns
 * that state ({@code sync}: the SKU → product id mapping and the delta-pull baseline), so the registry neither touches
 * those tables nor depends on the pulls. Called inside the change's Hibernate Reactive transaction: an implementation
 * runs its statements in the current {@code Panache} session, so they commit or roll back with the change.
 */
public interface IntegrationChangeListener {

    /** A new integration, or a changed base URL or API key: another Contifico company may be behind it now. */
    Uni<Void> companyMayHaveChanged(long storeId);

    /** The warehouse or the company changed: what a delta pull compares against describes the old one. */
    Uni<Void> warehouseMayHaveChanged(long storeId);
}
