package ec.stocksync.store;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/**
 * A store as the API shows it. Secrets never leave the service: only whether each one is set.
 */
@RegisterForReflection
public record StoreView(
        Long id,
        String name,
        String platform,
        String shopDomain,
        String siteUrl,
        String apiBaseUrl,
        String locationId,
        boolean processTestOrders,
        boolean refundsRestock,
        boolean scheduledPullEnabled,
        boolean syncUnmanagedStock,
        boolean keepRawPayloads,
        boolean active,
        String webhookPath,
        Credentials credentials,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    @RegisterForReflection
    public record Credentials(boolean accessTokenSet, boolean consumerKeySet, boolean consumerSecretSet,
                              boolean webhookSecretSet, boolean previousWebhookSecretSet) {
    }

    public static StoreView of(Store s) {
        return new StoreView(s.id, s.name, s.platform, s.shopDomain, s.siteUrl, s.apiBaseUrl, s.locationId,
                s.processTestOrders, s.refundsRestock, s.scheduledPullEnabled, s.syncUnmanagedStock, s.keepRawPayloads, s.active,
                "/webhooks/" + s.platform + "/" + s.id,
                new Credentials(set(s.accessToken), set(s.consumerKey), set(s.consumerSecret), set(s.webhookSecret),
                        set(s.previousWebhookSecret)),
                s.createdAt, s.updatedAt);
    }

    private static boolean set(String v) {
        return v != null && !v.isEmpty();
    }
}
