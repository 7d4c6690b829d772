package ec.stocksync.webhook;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.StockSyncConfig;
import ec.stocksync.store.Platform;
import ec.stocksync.store.Store;
import ec.stocksync.storefront.StorefrontApiErrors;
import ec.stocksync.storefront.StorefrontClient;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import ec.stocksync.storefront.WebhookSubscription;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's webhooks as the storefront holds them: which of the topics this service needs are subscribed to its
 * address, which are missing, paused, or point elsewhere; and registering or removing them through the storefront's API
 * (Shopify {@code webhookSubscriptionCreate}, WooCommerce {@code POST /webhooks} with the store's secret).
 * Subscriptions to other addresses (another app, a test server) are shown, never touched, except our own path on an
 * old address when the operator asks for a re-registration.
 */
@ApplicationScoped
public class WebhookRegistrations {

    /** Shopify: a sale, its refunds (restocks), cancellations (their restock arrives as a refund), order edits (units added). */
    static final List<String> SHOPIFY_TOPICS = List.of("orders/create", "refunds/create", "orders/cancelled",
            "orders/edited");
    /** WooCommerce: the order's state on creation and on every update (paid, cancelled, edited). */
    static final List<String> WOOCOMMERCE_TOPICS = List.of("order.created", "order.updated");

    public enum State {
        /** Subscribed to this service's address and active. */
        REGISTERED,
        /** Subscribed to this service's address, but the storefront paused or disabled it (WooCommerce, after failures). */
        INACTIVE,
        /** No subscription to this service's address: sales of this kind arrive only through reconciliation. */
        MISSING
    }

    @RegisterForReflection
    public record TopicStatus(String topic, State state, String subscriptionId, List<String> elsewhere) {
    }

    @RegisterForReflection
    public record Status(long storeId, String platform, String address, boolean publicUrlConfigured, List<TopicStatus> topics,
                         List<WebhookSubscription> subscriptions) {
    }

    @Inject
    StockSyncConfig config;
    @Inject
    StorefrontClients clients;

    static List<String> topicsOf(Store store) {
        return Platform.fromCode(store.platform).orElseThrow() == Platform.SHOPIFY ? SHOPIFY_TOPICS : WOOCOMMERCE_TOPICS;
    }

    /** {@code /webhooks/<platform>/<id>}: the part of the address that is ours whatever the host. */
    static String pathOf(Store store) {
        return "/webhooks/" + store.platform + "/" + store.id;
    }

    /** Where the storefront must deliver, from {@code stocksync.webhook.public-base-url}; empty when not configured. */
    static Optional<String> addressOf(Optional<String> publicBaseUrl, Store store) {
        return publicBaseUrl.map(String::trim).filter(s -> !s.isEmpty())
                .map(base -> base.replaceAll("/+$", "") + pathOf(store));
    }

    public Uni<Status> status(Store store) {
        return client(store).chain(StorefrontClient::webhooks).map(subs -> status(store, subs))
                .onFailure(StorefrontException.class).transform(e -> StorefrontApiErrors.explain((StorefrontException) e));
    }

    Status status(Store store, List<WebhookSubscription> subs) {
        Optional<String> address = addressOf(config.webhook().publicBaseUrl(), store);
        String path = pathOf(store);
        List<TopicStatus> topics = new ArrayList<>();
        for (String topic : topicsOf(store)) {
            WebhookSubscription ours = null;
            List<String> elsewhere = new ArrayList<>();
            for (WebhookSubscription s : subs) {
                if (!topic.equals(s.topic())) {
                    continue;
                }
                boolean mine = address.map(a -> a.equals(s.url())).orElse(pathMatches(s.url(), path));
                if (mine && (ours == null || "active".equals(s.status()))) {
                    ours = s;
                } else if (!mine) {
                    elsewhere.add(WebhookSubscription.mask(s.url()));
                }
            }
            State state = ours == null ? State.MISSING : "active".equals(ours.status()) ? State.REGISTERED : State.INACTIVE;
            topics.add(new TopicStatus(topic, state, ours == null ? null : ours.id(), elsewhere));
        }
        return new Status(store.id, store.platform, address.orElse(null), address.isPresent(), topics,
                subs.stream().map(WebhookSubscription::masked).toList());
    }

    /**
     * Subscribes every missing topic and re-creates paused ones. With {@code replace}, subscriptions to our path on
     * another host (the service moved) are removed first. Safe to repeat: a registered topic is left as it is.
     */
    public Uni<Status> register(Store store, boolean replace) {
        if (!store.active) {
            throw ApiException.conflict("store_inactive", "Store " + store.id + " is deactivated: its webhooks would be"
                    + " answered 404. Activate it first.");
        }
        String address = addressOf(config.webhook().publicBaseUrl(), store).orElseThrow(() -> ApiException.conflict(
                "public_url_not_configured", "This service does not know the address storefronts reach it at: set "
                        + "stocksync.webhook.public-base-url (env STOCKSYNC_WEBHOOK_PUBLIC_BASE_URL), e.g. "
                        + "https://stock.example.com, or register " + pathOf(store) + " on the storefront by hand."));
        if (store.webhookSecret == null || store.webhookSecret.isBlank()) {
            throw ApiException.conflict("webhook_secret_missing", "Store " + store.id + " has no webhookSecret: set one first,"
                    + " or every delivery would be refused.");
        }
        return client(store).chain(client -> client.webhooks().chain(subs -> {
            Status before = status(store, subs);
            List<String> drop = new ArrayList<>();
            for (WebhookSubscription s : subs) {
                boolean ourTopic = topicsOf(store).contains(s.topic());
                boolean oldHost = replace && ourTopic && !address.equals(s.url()) && ourPathElsewhere(store, s);
                boolean paused = ourTopic && address.equals(s.url()) && !"active".equals(s.status());
                if (oldHost || paused) {
                    drop.add(s.id());
                }
            }
            List<String> create = before.topics().stream()
                    .filter(t -> t.state() != State.REGISTERED)
                    .map(TopicStatus::topic).toList();
            // One call at a time: storefront rate limits are per shop, and there are at most three topics.
            return Multi.createFrom().iterable(drop).onItem().transformToUniAndConcatenate(client::unsubscribe).collect().last()
                    .chain(() -> Multi.createFrom().iterable(create)
                            .onItem().transformToUniAndConcatenate(topic -> client.subscribe(topic, address, store.webhookSecret))
                            .collect().last())
                    .chain(client::webhooks);
        })).map(subs -> status(store, subs))
                .onFailure(StorefrontException.class).transform(e -> StorefrontApiErrors.explain((StorefrontException) e));
    }

    /** Removes this service's subscriptions (its address, or its path on any host); others' stay. */
    public Uni<Status> remove(Store store) {
        Optional<String> address = addressOf(config.webhook().publicBaseUrl(), store);
        return client(store).chain(client -> client.webhooks().chain(subs -> {
            List<String> ours = subs.stream()
                    .filter(s -> address.map(a -> a.equals(s.url())).orElse(false) || ourPathElsewhere(store, s))
                    .map(WebhookSubscription::id).toList();
            return Multi.createFrom().iterable(ours).onItem().transformToUniAndConcatenate(client::unsubscribe).collect().last()
                    .chain(client::webhooks);
        })).map(subs -> status(store, subs))
                .onFailure(StorefrontException.class).transform(e -> StorefrontApiErrors.explain((StorefrontException) e));
    }

    private Uni<StorefrontClient> client(Store store) {
        try {
            return Uni.createFrom().item(clients.forStore(store));
        } catch (StorefrontException e) {
            return Uni.createFrom().failure(e);
        }
    }

    /**
     * A subscription to our path on another host that is ours (the service moved), not another deployment's that has
     * a store with the same id: on WooCommerce, which lists every webhook of the site, only one signed with this
     * store's secret; on Shopify the list holds only the subscriptions of the app whose token the store holds.
     */
    static boolean ourPathElsewhere(Store store, WebhookSubscription s) {
        if (!pathMatches(s.url(), pathOf(store))) {
            return false;
        }
        if (Platform.fromCode(store.platform).orElseThrow() == Platform.SHOPIFY) {
            return true;
        }
        return s.secretSha256() != null && s.secretSha256().equals(WebhookSubscription.sha256(store.webhookSecret));
    }

    /** The subscription's address has exactly our path (any scheme and host). */
    static boolean pathMatches(String url, String path) {
        if (url == null) {
            return false;
        }
        try {
            return path.equals(URI.create(url).getPath());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
