package ec.stocksync.store;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.Sent;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import io.quarkus.hibernate.reactive.panache.Panache;

/** The store registry: stores, their storefront credentials and their Contifico integration. */
@ApplicationScoped
public class StoreService {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StoreService.class);
    private static final Pattern SHOP_DOMAIN = Pattern.compile("^[a-z0-9][a-z0-9.-]*\\.[a-z]{2,}$");

    @Inject
    IntegrationVerifier check;
    @Inject
    StoreLocations locations;
    @Inject
    IntegrationChangeListener integrationChanges;
    @Inject
    Event<IntegrationChanged> integrationChanged;

    /**
     * The addresses in a store body that credentials would be sent to, by field, for
     * {@link ec.stocksync.common.OutboundUrls} to check before anything is saved. Malformed values are left to the
     * field validation, which words its own error.
     */
    public static Map<String, String> outboundUrls(StoreRequest body) {
        Map<String, String> urls = new LinkedHashMap<>();
        if (body == null) {
            return urls;
        }
        putIfSet(urls, "apiBaseUrl", body.apiBaseUrl());
        putIfSet(urls, "siteUrl", body.siteUrl());
        // Without an apiBaseUrl override the Shopify admin API (and the access token) goes to this host.
        if (body.shopDomain() != null && SHOP_DOMAIN.matcher(body.shopDomain().toLowerCase(Locale.ROOT)).matches()) {
            urls.put("shopDomain", "https://" + body.shopDomain());
        }
        return urls;
    }

    /** The address in an integration body that the API key would be sent to. */
    public static Map<String, String> outboundUrls(IntegrationRequest body) {
        Map<String, String> urls = new LinkedHashMap<>();
        if (body != null) {
            putIfSet(urls, "baseUrl", body.baseUrl());
        }
        return urls;
    }

    private static void putIfSet(Map<String, String> urls, String field, String value) {
        if (value != null) {
            urls.put(field, value);
        }
    }

    /** How a body changes a store: create and replace need every required field; patch only touches what it names. */
    enum Mode { CREATE, REPLACE, PATCH }

    @WithSession
    public Uni<List<Store>> list() {
        return Store.listAll(io.quarkus.panache.common.Sort.by("id"));
    }

    private static Uni<Store> find(long id) {
        return Store.<Store>findById(id).onItem().ifNull().failWith(() -> ApiException.storeNotFound(id));
    }

    @WithSession
    public Uni<Store> get(long id) {
        return find(id);
    }

    @WithTransaction
    public Uni<Store> create(Sent<StoreRequest> body) {
        Store s = new Store();
        apply(s, body, Mode.CREATE);
        s.createdAt = OffsetDateTime.now();
        s.updatedAt = s.createdAt;
        return s.persist();
    }

    @WithTransaction
    public Uni<Store> replace(long id, Sent<StoreRequest> body) {
        return change(id, body, Mode.REPLACE);
    }

    @WithTransaction
    public Uni<Store> patch(long id, Sent<StoreRequest> body) {
        return change(id, body, Mode.PATCH);
    }

    /**
     * A saved location map was checked against the store as it was: its own location (which, unmapped, follows the
     * integration's warehouse) and its shop (whose locations the map names). So a change takes the store's row as a
     * map being saved does ({@link #lockForTheMap}, before the entity is touched) and, under it, keeps the map valid:
     * another shop deletes the map (its location ids are the old shop's, like a company change's warehouses); another
     * own location is checked against the saved map (400 {@code warehouse_shared}, nothing written: the new own
     * location would publish a warehouse a mapped location already sums). A map being saved meanwhile sees the
     * store's new version and is refused ({@code StoreLocations.replace}).
     */
    private Uni<Store> change(long id, Sent<StoreRequest> body, Mode mode) {
        return lockForTheMap(id).chain(() -> find(id)).chain(s -> {
            String ownBefore = StoreLocations.ownLocation(s);
            String domainBefore = s.shopDomain;
            String apiBefore = adminApiOf(s);
            apply(s, body, mode);
            s.updatedAt = OffsetDateTime.now();
            if (s.platformEnum() == Platform.SHOPIFY
                    && (!Objects.equals(domainBefore, s.shopDomain) || !sameAddress(apiBefore, adminApiOf(s)))) {
                return deleteMap(id, "its shop changed").replaceWith(s);
            }
            String own = StoreLocations.ownLocation(s);
            if (Objects.equals(ownBefore, own)) {
                return Uni.createFrom().item(s);
            }
            return StoreIntegration.findActive(id).chain(i -> locations.list(id).map(map -> {
                StoreLocations.refuseSharedWarehouse(own, i == null ? null : i.warehouseId, map);
                return s;
            }));
        });
    }

    /** Deactivation, not deletion: the store's history (movements, logs) stays, its webhooks get 404. */
    @WithTransaction
    public Uni<Store> deactivate(long id) {
        return find(id).map(s -> {
            s.active = false;
            s.updatedAt = OffsetDateTime.now();
            return s;
        });
    }

    @WithSession
    public Uni<List<StoreIntegration>> integrations(long storeId) {
        return get(storeId).chain(s -> StoreIntegration.listForStore(storeId));
    }

    /** The store's active integration, or null; the store must exist (else 404). */
    @WithSession
    public Uni<StoreIntegration> activeIntegration(long storeId) {
        return find(storeId).chain(s -> StoreIntegration.findActive(storeId));
    }

    @WithTransaction
    public Uni<StoreIntegration> addIntegration(long storeId, Sent<IntegrationRequest> body) {
        StoreIntegration i = new StoreIntegration();
        i.storeId = storeId;
        applyIntegration(i, body, Mode.CREATE);
        i.createdAt = OffsetDateTime.now();
        i.updatedAt = i.createdAt;
        // Checked against Contifico before the store's row is locked (no lock held over an outbound call), then the
        // store's row is taken before the integration is written, the order every integration change uses.
        return find(storeId)
                .chain(s -> noActiveIntegration(storeId))
                .chain(() -> check.verify(i))
                .chain(() -> lockForTheMap(storeId))
                .chain(() -> noActiveIntegration(storeId))
                .chain(() -> i.<StoreIntegration>persist())
                .call(() -> companyMayHaveChanged(storeId));
    }

    private static Uni<Void> noActiveIntegration(long storeId) {
        return StoreIntegration.findActive(storeId).invoke(existing -> {
            if (existing != null) {
                throw ApiException.conflict("integration_exists", "Store " + storeId + " already has an active"
                        + " integration (id " + existing.id + "): change it with PATCH /api/stores/" + storeId
                        + "/integrations/" + existing.id + ", or DELETE it first.");
            }
        }).replaceWithVoid();
    }

    /**
     * Another Contifico company may be behind the integration now. Besides what other packages forget, the store's
     * location map names the old company's warehouses: deleted in the same transaction (a map naming warehouses the
     * new company may not have, or has under other meanings, would book sales and publish stock there). The operator
     * saves the map again against the new company; until then the store follows the integration's warehouse. The
     * caller holds {@link #lockForTheMap} already (both callers take it before touching the entity).
     */
    private Uni<Void> companyMayHaveChanged(long storeId) {
        return integrationChanges.companyMayHaveChanged(storeId)
                .chain(() -> deleteMap(storeId, "the integration may now be another Contifico company"));
    }

    /** Deletes the store's location map in this transaction (the store's row locked), logged. */
    private Uni<Void> deleteMap(long storeId, String why) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery("DELETE FROM store_locations WHERE store_id = :store")
                        .setParameter("store", storeId)
                        .executeUpdate())
                .invoke(deleted -> {
                    if (deleted > 0) {
                        LOG.warnf("store %d: %s; its location map (%d locations) was deleted, save it again with"
                                + " PUT /api/stores/%d/locations", storeId, why, deleted, storeId);
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Locks the store's row as {@link StoreLocations#replace} does, after any outbound check and until this
     * transaction commits: a map being saved waits for this change and then sees the integration's new version
     * (409 {@code integration_changed}), or this waits for the map and then deletes it. NO KEY UPDATE: inserts that
     * only reference the store (movements, webhook events) do not wait.
     */
    private Uni<Void> lockForTheMap(long storeId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery("SELECT id FROM stores WHERE id = :store FOR NO KEY UPDATE")
                        .setParameter("store", storeId)
                        .getResultList())
                .replaceWithVoid();
    }

    /**
     * The store's row is locked before the entity is touched, as in {@link #deactivateIntegration}: Hibernate flushes a
     * dirty entity before any native query, so an integration modified first would send its {@code UPDATE} (and hold
     * the integration's row) when the lock query runs, while a deactivation holding the store's row waits for that
     * integration row at its commit: a deadlock. So the change is checked against Contifico on a copy, outside the
     * lock, then the entity is re-read under the lock and changed.
     */
    @WithTransaction
    public Uni<StoreIntegration> patchIntegration(long storeId, long integrationId, Sent<IntegrationRequest> f) {
        boolean elsewhere = f.has("baseUrl") || f.has("apiKey");
        boolean verified = elsewhere || f.has("warehouseId");
        return findIntegration(storeId, integrationId)
                // Detached: read again under the lock below, where a concurrent change has committed or waits.
                .call(found -> Panache.getSession().invoke(s -> s.detach(found)))
                .map(found -> patched(copyOf(found), f, integrationId))
                .call(copy -> verified ? check.verify(copy) : Uni.createFrom().voidItem())
                // Any change moves the version a map being saved was checked at (its own location's warehouse too).
                .call(copy -> lockForTheMap(storeId))
                .chain(copy -> findIntegration(storeId, integrationId)
                        .map(i -> {
                            patched(i, f, integrationId);
                            if (!Objects.equals(i.baseUrl, copy.baseUrl) || !Objects.equals(i.apiKey, copy.apiKey)
                                    || !Objects.equals(i.warehouseId, copy.warehouseId)) {
                                // Another change committed while this one was checked: what was checked is not
                                // what would be saved.
                                throw ApiException.conflict("integration_changed", "Integration " + integrationId
                                        + " was changed by another request meanwhile: nothing was changed, try again.");
                            }
                            return i;
                        }))
                // Another warehouse under a saved map (same company, so the map stays): the store's own location,
                // unmapped, follows it, so a mapped location must not sum it already.
                .call(i -> f.has("warehouseId") && !elsewhere ? find(storeId).chain(store -> locations.list(storeId)
                        .invoke(map -> StoreLocations.refuseSharedWarehouse(StoreLocations.ownLocation(store),
                                i.warehouseId, map))) : Uni.createFrom().voidItem())
                .call(i -> elsewhere ? companyMayHaveChanged(storeId) : Uni.createFrom().voidItem())
                .call(i -> verified ? integrationChanges.warehouseMayHaveChanged(storeId) : Uni.createFrom().voidItem())
                .invoke(i -> {
                    if (elsewhere) {
                        integrationChanged.fire(new IntegrationChanged(integrationId));
                    }
                });
    }

    /** {@code i} with the patch applied, or the reason it cannot be. */
    private static StoreIntegration patched(StoreIntegration i, Sent<IntegrationRequest> f, long integrationId) {
        if (!i.active) {
            throw ApiException.conflict("integration_inactive", "Integration " + integrationId
                    + " was deactivated; create a new one instead.");
        }
        String before = i.baseUrl;
        applyIntegration(i, f, Mode.PATCH);
        // The check calls Contifico at the new address with the key: never with the stored one.
        if (!sameAddress(before, i.baseUrl) && f.value().apiKey() == null) {
            throw ApiException.credentialRequired("apiKey", "baseUrl");
        }
        i.updatedAt = OffsetDateTime.now();
        return i;
    }

    /** A detached copy, for checking a change without dirtying the session's entity. */
    private static StoreIntegration copyOf(StoreIntegration i) {
        StoreIntegration c = new StoreIntegration();
        c.id = i.id;
        c.storeId = i.storeId;
        c.provider = i.provider;
        c.baseUrl = i.baseUrl;
        c.apiKey = i.apiKey;
        c.posToken = i.posToken;
        c.warehouseId = i.warehouseId;
        c.active = i.active;
        c.createdAt = i.createdAt;
        c.updatedAt = i.updatedAt;
        return c;
    }

    @WithTransaction
    public Uni<StoreIntegration> deactivateIntegration(long storeId, long integrationId) {
        return lockForTheMap(storeId).call(() -> heldForTheMap(afterDeactivationLock))
                .chain(() -> findIntegration(storeId, integrationId)).map(i -> {
                    i.active = false;
                    i.updatedAt = OffsetDateTime.now();
                    return i;
                }).invoke(i -> integrationChanged.fire(new IntegrationChanged(integrationId)));
    }

    /* Tests only: runs while a deactivation holds the store's row, so a concurrent change can be put exactly there. */
    private volatile Supplier<Uni<Void>> afterDeactivationLock = NOTHING;
    private static final Supplier<Uni<Void>> NOTHING = () -> Uni.createFrom().voidItem();

    void afterDeactivationLock(Supplier<Uni<Void>> hook) {
        afterDeactivationLock = hook == null ? NOTHING : hook;
    }

    /** Runs a test hook (which may block on a worker thread) and comes back to the session's Vert.x context. */
    private static Uni<Void> heldForTheMap(Supplier<Uni<Void>> hook) {
        if (hook == NOTHING) {
            return Uni.createFrom().voidItem();
        }
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        return hook.get().emitOn(r -> ctx.runOnContext(v -> r.run()));
    }

    private Uni<StoreIntegration> findIntegration(long storeId, long integrationId) {
        return StoreIntegration.<StoreIntegration>findById(integrationId)
                .map(i -> {
                    if (i == null || !i.storeId.equals(storeId)) {
                        throw ApiException.notFound("integration_not_found",
                                "Store " + storeId + " has no integration " + integrationId + ".");
                    }
                    return i;
                });
    }

    static void apply(Store s, Sent<StoreRequest> f, Mode mode) {
        StoreRequest r = f.value();
        boolean replaceAll = mode != Mode.PATCH;
        String apiBefore = mode == Mode.CREATE ? null : adminApiOf(s);
        if (mode == Mode.CREATE) {
            s.platform = Platform.fromCode(required("platform", r.platform())).orElseThrow().code();
        } else if (f.has("platform") && !s.platform.equals(r.platform())) {
            throw ApiException.invalidField("platform", "cannot change; create a new store instead");
        }
        if (replaceAll || f.has("name")) {
            s.name = required("name", r.name());
        }
        // Optional settings: a replace resets what it leaves out; a patch keeps it.
        if (replaceAll || f.has("apiBaseUrl")) {
            s.apiBaseUrl = r.apiBaseUrl();
        }
        if (replaceAll || f.has("locationId")) {
            s.locationId = r.locationId();
        }
        if (replaceAll || f.has("processTestOrders")) {
            s.processTestOrders = or(r.processTestOrders(), false);
        }
        if (replaceAll || f.has("refundsRestock")) {
            s.refundsRestock = or(r.refundsRestock(), false);
        }
        if (replaceAll || f.has("scheduledPullEnabled")) {
            s.scheduledPullEnabled = or(r.scheduledPullEnabled(), true);
        }
        if (replaceAll || f.has("syncUnmanagedStock")) {
            s.syncUnmanagedStock = or(r.syncUnmanagedStock(), false);
        }
        if (replaceAll || f.has("keepRawPayloads")) {
            s.keepRawPayloads = or(r.keepRawPayloads(), false);
        }
        if (replaceAll || f.has("shopDomain")) {
            s.shopDomain = r.shopDomain();
        }
        if (replaceAll || f.has("siteUrl")) {
            s.siteUrl = r.siteUrl();
        }
        // Secrets are never returned, so a client cannot send them back: absent always means "keep".
        if (f.has("accessToken")) {
            s.accessToken = r.accessToken();
        }
        if (f.has("consumerKey")) {
            s.consumerKey = r.consumerKey();
        }
        if (f.has("consumerSecret")) {
            s.consumerSecret = r.consumerSecret();
        }
        if (f.has("webhookSecret")) {
            s.webhookSecret = r.webhookSecret();
        }
        if (f.has("previousWebhookSecret")) {
            s.previousWebhookSecret = r.previousWebhookSecret();
        }
        validate(s);
        if (mode != Mode.CREATE && !sameAddress(apiBefore, adminApiOf(s))) {
            requireCredentialsResent(s, f);
        }
    }

    /** A field a PATCH names with null, or a PUT leaves out, where the store cannot do without it. */
    private static String required(String field, String value) {
        if (value == null) {
            throw ApiException.invalidField(field, "is required");
        }
        return value;
    }

    private static boolean or(Boolean value, boolean dflt) {
        return value == null ? dflt : value;
    }

    /**
     * The stored credentials were given for the old address: sending them to a new one on the strength of an admin
     * request alone would hand them to whoever controls that host. The caller proves it holds them by sending them
     * again. Thrown inside the transaction, so nothing of the request is saved.
     */
    private static void requireCredentialsResent(Store s, Sent<StoreRequest> f) {
        StoreRequest r = f.value();
        String changed = f.has("apiBaseUrl") ? "apiBaseUrl" : f.has("shopDomain") ? "shopDomain"
                : f.has("siteUrl") ? "siteUrl" : "apiBaseUrl";
        if (s.platformEnum() == Platform.SHOPIFY) {
            if (r.accessToken() == null) {
                throw ApiException.credentialRequired("accessToken", changed);
            }
        } else {
            if (r.consumerKey() == null) {
                throw ApiException.credentialRequired("consumerKey", changed);
            }
            if (r.consumerSecret() == null) {
                throw ApiException.credentialRequired("consumerSecret", changed);
            }
        }
    }

    /** Where the store's admin API lives; mirrors StorefrontClients.baseUrlOf, which the clients use. */
    private static String adminApiOf(Store s) {
        if (s.apiBaseUrl != null && !s.apiBaseUrl.isBlank()) {
            return s.apiBaseUrl.trim();
        }
        String base = s.platformEnum() == Platform.SHOPIFY
                ? (s.shopDomain == null || s.shopDomain.isBlank() ? null
                        : s.shopDomain.contains("://") ? s.shopDomain.trim() : "https://" + s.shopDomain.trim())
                : s.siteUrl == null || s.siteUrl.isBlank() ? null : s.siteUrl.trim();
        return base;
    }

    private static boolean sameAddress(String a, String b) {
        return Objects.equals(strip(a), strip(b));
    }

    private static String strip(String url) {
        if (url == null) {
            return null;
        }
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    private static void validate(Store s) {
        if (s.webhookSecret == null) {
            throw ApiException.invalidField("webhookSecret", "is required");
        }
        if (s.platformEnum() == Platform.SHOPIFY) {
            if (s.shopDomain == null) {
                throw ApiException.invalidField("shopDomain", "is required for a Shopify store");
            }
            String domain = s.shopDomain.toLowerCase();
            if (!SHOP_DOMAIN.matcher(domain).matches()) {
                throw ApiException.invalidField("shopDomain", "must be a host name such as my-shop.myshopify.com");
            }
            s.shopDomain = domain;
            if (s.accessToken == null) {
                throw ApiException.invalidField("accessToken", "is required for a Shopify store");
            }
            if (s.siteUrl != null || s.consumerKey != null || s.consumerSecret != null) {
                throw ApiException.invalidField(s.siteUrl != null ? "siteUrl" : s.consumerKey != null ? "consumerKey"
                        : "consumerSecret", "is for WooCommerce stores, not Shopify");
            }
        } else {
            if (s.siteUrl == null) {
                throw ApiException.invalidField("siteUrl", "is required for a WooCommerce store");
            }
            if (s.consumerKey == null) {
                throw ApiException.invalidField("consumerKey", "is required for a WooCommerce store");
            }
            if (s.consumerSecret == null) {
                throw ApiException.invalidField("consumerSecret", "is required for a WooCommerce store");
            }
            if (s.shopDomain != null || s.accessToken != null || s.locationId != null) {
                throw ApiException.invalidField(s.shopDomain != null ? "shopDomain" : s.accessToken != null
                        ? "accessToken" : "locationId", "is for Shopify stores, not WooCommerce");
            }
        }
    }

    static void applyIntegration(StoreIntegration i, Sent<IntegrationRequest> f, Mode mode) {
        IntegrationRequest r = f.value();
        boolean create = mode == Mode.CREATE;
        if (create || f.has("provider")) {
            // The record allows only "contifico"; null on a PATCH is the one way left to get it wrong.
            if (r.provider() == null) {
                throw ApiException.invalidField("provider", "must be \"contifico\"");
            }
            i.provider = r.provider();
        }
        if (create || f.has("baseUrl")) {
            i.baseUrl = r.baseUrl() != null ? r.baseUrl() : StoreIntegration.DEFAULT_CONTIFICO_BASE_URL;
        }
        if (create || f.has("apiKey")) {
            i.apiKey = required("apiKey", r.apiKey());
        }
        if (create || f.has("warehouseId")) {
            i.warehouseId = required("warehouseId", r.warehouseId());
        }
        if (f.has("posToken")) {
            i.posToken = r.posToken();
        }
    }
}
