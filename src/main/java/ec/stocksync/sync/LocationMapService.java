package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.contifico.ContificoClient;
import ec.stocksync.contifico.ContificoConnection;
import ec.stocksync.contifico.ContificoException;
import ec.stocksync.contifico.Warehouse;
import ec.stocksync.store.Platform;
import ec.stocksync.store.Store;
import ec.stocksync.store.StoreContext;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.store.StoreIntegration;
import ec.stocksync.store.StoreLocations;
import ec.stocksync.storefront.StorefrontApiErrors;
import ec.stocksync.storefront.StorefrontClients;
import ec.stocksync.storefront.StorefrontException;
import ec.stocksync.storefront.StorefrontLocation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks a store's location map (issue 14 D) before {@link StoreLocations} replaces it: the shape (one location per
 * id, the push warehouse among the summed ones, one location on WooCommerce), then every warehouse against
 * Contifico's {@code GET /bodega/} for the store's integration and every Shopify location against the shop's list.
 * Any refusal leaves the stored map as it was.
 */
@ApplicationScoped
public class LocationMapService {

    @Inject
    StoreContexts contexts;
    @Inject
    StoreLocations locations;
    @Inject
    ContificoClient contifico;
    @Inject
    StorefrontClients storefronts;
    @Inject
    AdvisoryLocks locks;
    @Inject
    DeltaSignals signals;

    public Uni<List<StoreLocations.Location>> replace(long storeId, LocationMapRequest body, String by) {
        if (body.locations().isEmpty()) {
            // Removing the map needs no integration: it is the way back to the one-warehouse behaviour.
            return contexts.exists(storeId).chain(exists -> {
                if (!exists) {
                    throw ApiException.storeNotFound(storeId);
                }
                return save(storeId, List.of(), null, null, by);
            });
        }
        return contexts.load(storeId, null).chain(ctx -> {
            List<StoreLocations.Location> map = shape(ctx, body.locations());
            return knownWarehouses(ctx, map)
                    .chain(() -> storefrontNames(ctx))
                    .call(names -> afterChecks.get())
                    .chain(names -> save(storeId, named(ctx, map, names), ctx.store(), ctx.integration(), by));
        });
    }

    /*
     * Tests only: run between the checks and the save, and inside the save's transaction before it commits, so a
     * concurrent integration change can be put exactly there.
     */
    private volatile Supplier<Uni<Void>> afterChecks = NOTHING;
    private volatile Supplier<Uni<Void>> beforeCommit = NOTHING;
    private static final Supplier<Uni<Void>> NOTHING = () -> Uni.createFrom().voidItem();

    void afterChecks(Supplier<Uni<Void>> hook) {
        afterChecks = hook == null ? NOTHING : hook;
    }

    void beforeCommit(Supplier<Uni<Void>> hook) {
        beforeCommit = hook == null ? NOTHING : hook;
    }

    /**
     * Saves the map under the store's pull lock and forgets the delta baseline in the map's own transaction (a map
     * saved with the old baseline kept would let delta pulls skip SKUs whose figure it moved): a change of the
     * warehouses a location sums changes its figure without any Contifico event, so the next delta pull must read
     * every SKU. Holding the pull lock keeps a run that read the old map from recording its baseline after this.
     */
    private Uni<List<StoreLocations.Location>> save(long storeId, List<StoreLocations.Location> map,
                                                    Store checkedStore, StoreIntegration checkedWith, String by) {
        return locks.withPullLock(storeId, () -> locations.replace(storeId, map, by, checkedStore, checkedWith,
                        conn -> signals.forgetBaseline(conn, storeId).chain(() -> beforeCommit.get())))
                .map(saved -> saved.orElseThrow(() -> ApiException.conflict("pull_in_progress", "A pull of store "
                        + storeId + " is running: change the location map once it has ended (nothing was changed)")));
    }

    /** The map as it will be stored, or the first rule it breaks; no call made. */
    static List<StoreLocations.Location> shape(StoreContext ctx, List<LocationMapRequest.Entry> entries) {
        boolean woo = ctx.store().platformEnum() == Platform.WOOCOMMERCE;
        if (woo && entries.size() > 1) {
            throw ApiException.badRequest("one_location", "A WooCommerce store has one stock per product, so its map"
                    + " has at most one location (sum several warehouses into it instead).");
        }
        Set<String> seen = new HashSet<>();
        List<StoreLocations.Location> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            LocationMapRequest.Entry e = entries.get(i);
            String field = "locations[" + i + "]";
            String location;
            if (woo) {
                if (e.locationId() != null && !StorefrontLocation.WOOCOMMERCE_ID.equals(e.locationId())) {
                    throw ApiException.invalidField(field + ".locationId", "a WooCommerce store has one location:"
                            + " leave it out or give \"" + StorefrontLocation.WOOCOMMERCE_ID + "\"");
                }
                location = StorefrontLocation.WOOCOMMERCE_ID;
            } else {
                location = StorefrontLocation.number(e.locationId());
                if (location == null) {
                    throw ApiException.invalidField(field + ".locationId", "is required for a Shopify store (the"
                            + " location's id, as GET /api/stores/{id}/locations/storefront lists it)");
                }
            }
            if (!seen.add(location)) {
                throw ApiException.badRequest("duplicate_location", "Location " + location
                        + " appears twice in the map: give each location once, with all its warehouses.");
            }
            Set<String> warehouses = new LinkedHashSet<>(e.warehouseIds());
            if (warehouses.size() < e.warehouseIds().size()) {
                throw ApiException.invalidField(field + ".warehouseIds", "lists a warehouse twice");
            }
            String push = e.pushWarehouseId();
            if (push == null) {
                if (warehouses.size() > 1) {
                    throw ApiException.invalidField(field + ".pushWarehouseId", "is required when several warehouses"
                            + " are summed: name the one sales at this location are booked in");
                }
                push = e.warehouseIds().get(0);
            } else if (!warehouses.contains(push)) {
                throw ApiException.invalidField(field + ".pushWarehouseId", "must be one of the location's"
                        + " warehouseIds (a sale must lower the figure the location publishes)");
            }
            out.add(new StoreLocations.Location(location, null, List.copyOf(warehouses), push));
        }
        StoreLocations.refuseSharedWarehouse(StoreLocations.ownLocation(ctx.store()),
                ctx.integration() == null ? null : ctx.integration().warehouseId, out);
        return out;
    }

    /** Every warehouse of the map is one Contifico lists for the store's integration. */
    private Uni<Void> knownWarehouses(StoreContext ctx, List<StoreLocations.Location> map) {
        return contifico.warehouses(ContificoConnection.of(ctx.integration()))
                .onFailure(ContificoException.class).transform(e -> ApiException.unavailable("contifico_unavailable",
                        "Contifico did not answer the warehouse list (" + UpstreamText.sanitize(e.getMessage())
                                + "). Nothing was changed; try again"))
                .invoke(listed -> {
                    Set<String> ids = new HashSet<>();
                    listed.stream().map(Warehouse::id).forEach(ids::add);
                    Set<String> unknown = new LinkedHashSet<>();
                    map.forEach(l -> l.warehouseIds().stream().filter(w -> !ids.contains(w)).forEach(unknown::add));
                    if (!unknown.isEmpty()) {
                        throw ApiException.badRequest("unknown_warehouse", "Contifico does not list warehouse(s) "
                                + String.join(", ", unknown) + " for this store's integration: pick them from GET"
                                + " /api/stores/" + ctx.storeId() + "/contifico/warehouses.");
                    }
                })
                .replaceWithVoid();
    }

    /** The storefront's locations by id (names included). */
    private Uni<Map<String, String>> storefrontNames(StoreContext ctx) {
        return storefronts.forStore(ctx.store()).locations()
                .onFailure(StorefrontException.class).transform(e -> listFailure((StorefrontException) e,
                        ". Nothing was changed"))
                .map(listed -> {
                    Map<String, String> names = new HashMap<>();
                    listed.forEach(l -> names.put(l.id(), l.name()));
                    return names;
                });
    }

    private static List<StoreLocations.Location> named(StoreContext ctx, List<StoreLocations.Location> map,
                                                        Map<String, String> names) {
        List<String> unknown = map.stream().map(StoreLocations.Location::locationId).filter(id -> !names.containsKey(id))
                .toList();
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("unknown_location", "The storefront has no active location "
                    + String.join(", ", unknown) + ": pick them from GET /api/stores/" + ctx.storeId()
                    + "/locations/storefront.");
        }
        return map.stream().map(l -> new StoreLocations.Location(l.locationId(), names.get(l.locationId()),
                l.warehouseIds(), l.pushWarehouseId())).toList();
    }

    /** The storefront's active locations, for an operator building the map. */
    public Uni<List<StorefrontLocation>> storefrontLocations(long storeId) {
        return contexts.storeWithIntegrationId(storeId).chain(found -> storefronts.forStore(found
                        .orElseThrow(() -> ApiException.storeNotFound(storeId)).store()).locations())
                .onFailure(StorefrontException.class).transform(e -> listFailure((StorefrontException) e, ""));
    }

    /**
     * Why the location list could not be read, by what the storefront said: only a storefront that did not answer is
     * worth trying again (503); refused credentials, a refused request (a missing {@code read_locations} scope) and a
     * shop with more locations than are read are fixed elsewhere, so they are 400s that say so.
     */
    static ApiException listFailure(StorefrontException e, String nothingChanged) {
        if ("too_many_locations".equals(e.code())) {
            return ApiException.badRequest("too_many_locations", "The shop has more than "
                    + StorefrontLocation.MAX_SHOPIFY_LOCATIONS + " active locations, the most this service reads"
                    + nothingChanged + ": deactivate the ones it no longer uses.");
        }
        return switch (e.kind()) {
            case AUTH, NOT_FOUND, REJECTED -> StorefrontApiErrors.explain(e);
            default -> ApiException.unavailable("storefront_unavailable", "The storefront did not answer its location"
                    + " list (" + UpstreamText.sanitize(e.getMessage()) + ")" + nothingChanged + "; try again.");
        };
    }
}
