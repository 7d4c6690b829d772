package ec.stocksync.store;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/** An integration as the API shows it: no API key, no POS token. */
@RegisterForReflection
public record IntegrationView(Long id, Long storeId, String provider, String baseUrl, String warehouseId, boolean active,
                              boolean apiKeySet, boolean posTokenSet, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public static IntegrationView of(StoreIntegration i) {
        return new IntegrationView(i.id, i.storeId, i.provider, i.baseUrl, i.warehouseId, i.active,
                i.apiKey != null && !i.apiKey.isEmpty(), i.posToken != null && !i.posToken.isEmpty(),
                i.createdAt, i.updatedAt);
    }
}
