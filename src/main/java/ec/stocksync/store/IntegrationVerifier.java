package ec.stocksync.store;

import io.smallrye.mutiny.Uni;

/**
 * Checks an integration against its provider before it is saved. Defined here and implemented by the provider's
 * package ({@code contifico}), so the registry does not depend on the client that checks it (no package cycle).
 */
public interface IntegrationVerifier {

    /** Fails with an {@link ec.stocksync.common.ApiException} naming the field the provider refused; else completes. */
    Uni<Void> verify(StoreIntegration integration);
}
