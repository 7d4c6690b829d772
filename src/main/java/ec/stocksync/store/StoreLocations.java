package ec.stocksync.store;

import ec.stocksync.common.ApiException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code store_locations}: which Contifico warehouses each storefront location of a store follows (issue 14 D). A
 * store without rows keeps the one-warehouse behaviour: its location follows the integration's warehouse. Checking a
 * map against Contifico and the storefront is the caller's job ({@code sync.LocationMapService}); this class only
 * stores what was checked.
 */
@ApplicationScoped
public class StoreLocations {

    @Inject
    Pool pool;

    /** One location of the map, as stored and as the API shows it. */
    @RegisterForReflection
    @Schema(name = "StoreLocation")
    public record Location(
            @Schema(description = "Storefront location id: Shopify's numeric location id, or \"default\" for WooCommerce",
                    examples = "655441491") String locationId,
            @Schema(description = "The location's name as the storefront lists it", examples = "Tienda Quito") String name,
            @Schema(description = "Contifico warehouses whose sum is published to the location") List<String> warehouseIds,
            @Schema(description = "Contifico warehouse a sale (or restock) fulfilled at the location is booked in",
                    examples = "nRMdROzqhvDZel6Y") String pushWarehouseId) {
    }

    /** The store's map, in the order it was given; empty when the store has none. */
    public Uni<List<Location>> list(long storeId) {
        return pool.preparedQuery("""
                        SELECT location_id, name, warehouse_ids, push_warehouse_id FROM store_locations
                        WHERE store_id = $1 ORDER BY position""")
                .execute(Tuple.of(storeId)).map(StoreLocations::locations);
    }

    /**
     * Replaces the store's whole map in one transaction (an empty list removes it). The store's row is locked first
     * ({@code FOR NO KEY UPDATE}: movements and webhook events that only reference the store do not wait), so two
     * concurrent replacements apply one after the other instead of clashing on the key. {@code alsoInTransaction}
     * runs in the same transaction: what other packages keep that a map change makes stale (their own tables, their
     * own SQL), committed with the map or not at all.
     *
     * <p>A map checked against {@code checkedStore} and {@code checkedWith} (as they were read, with their versions)
     * is written only if the store is still at that version and that integration is still its active one at that
     * version, else 409 {@code store_changed} / {@code integration_changed} and nothing written. Every change of
     * either ({@code StoreService}) locks the same store row and, under it, deletes the map or re-checks it, so
     * either it runs first and this sees the new version, or it waits for this map and then sees it.
     * {@code null}: no check (removing the map).
     */
    public Uni<List<Location>> replace(long storeId, List<Location> map, String by, Store checkedStore,
                                       StoreIntegration checkedWith,
                                       Function<SqlConnection, Uni<Void>> alsoInTransaction) {
        return pool.withTransaction(conn -> conn.preparedQuery(
                        "SELECT updated_at FROM stores WHERE id = $1 FOR NO KEY UPDATE")
                .execute(Tuple.of(storeId))
                .invoke(rows -> {
                    if (checkedStore != null && (!rows.iterator().hasNext() || !Objects.equals(
                            rows.iterator().next().getOffsetDateTime(0), checkedStore.updatedAt))) {
                        throw ApiException.conflict("store_changed", "The store changed while the location map was"
                                + " being checked (its location, shop or another setting): nothing was changed. Save"
                                + " the map again.");
                    }
                })
                .chain(() -> checkedWith == null ? Uni.createFrom().voidItem() : conn.preparedQuery(
                                "SELECT " + StoreContexts.integrationUnchanged("$1", "$2"))
                        .execute(Tuple.of(checkedWith.id, checkedWith.updatedAt))
                        .invoke(rows -> {
                            if (!rows.iterator().next().getBoolean(0)) {
                                throw ApiException.conflict("integration_changed", "The store's Contifico integration"
                                        + " changed while the location map was being checked (another key, address or"
                                        + " warehouse, or another integration): nothing was changed. Read the"
                                        + " warehouses again and save the map again.");
                            }
                        })
                        .replaceWithVoid())
                .chain(() -> conn.preparedQuery("DELETE FROM store_locations WHERE store_id = $1").execute(Tuple.of(storeId)))
                .chain(() -> {
                    if (map.isEmpty()) {
                        return Uni.createFrom().<RowSet<Row>>nullItem();
                    }
                    List<Tuple> rows = new ArrayList<>();
                    for (int i = 0; i < map.size(); i++) {
                        Location l = map.get(i);
                        rows.add(Tuple.of(storeId, l.locationId(), l.name(), l.pushWarehouseId())
                                .addArrayOfString(l.warehouseIds().toArray(new String[0])).addInteger(i).addString(by));
                    }
                    return conn.preparedQuery("""
                                    INSERT INTO store_locations (store_id, location_id, name, push_warehouse_id,
                                                                 warehouse_ids, position, updated_by)
                                    VALUES ($1, $2, $3, $4, $5, $6, $7)""")
                            .executeBatch(rows);
                })
                .chain(() -> alsoInTransaction.apply(conn)))
                .chain(() -> list(storeId));
    }

    /**
     * A warehouse summed by two locations would let a sale at one, not yet pushed, stay on sale at the other (a pull
     * there reads the warehouse before the sale is booked in it): 400 {@code warehouse_shared}. The store's own location
     * ({@code own}, null when it has none), when the map does not name it, sums the integration's warehouse
     * ({@code integrationWarehouse}, null without an integration), so that one counts too. Checked when a map is saved
     * and when a store's location or an integration's warehouse changes under a saved map.
     */
    public static void refuseSharedWarehouse(String own, String integrationWarehouse, List<Location> map) {
        Map<String, String> summedBy = new HashMap<>();
        if (own != null && map.stream().noneMatch(l -> l.locationId().equals(own)) && integrationWarehouse != null) {
            summedBy.put(integrationWarehouse, own);
        }
        for (Location l : map) {
            for (String w : l.warehouseIds()) {
                String other = summedBy.putIfAbsent(w, l.locationId());
                if (other != null) {
                    throw ApiException.badRequest("warehouse_shared", "Warehouse " + w + " is summed by locations "
                            + other + " and " + l.locationId() + (other.equals(own) ? " (the store's own location"
                            + " follows the integration's warehouse while the map does not name it)" : "")
                            + ": a sale at one would stay on sale at the other until booked. Give each warehouse to"
                            + " one location (nothing was changed).");
                }
            }
        }
    }

    /**
     * The warehouses the store's own location ({@link #ownLocation}) publishes the sum of: its map entry's, else the
     * integration's one warehouse ({@code integrationWarehouse}).
     */
    public Uni<List<String>> ownWarehouses(Store store, String integrationWarehouse) {
        String own = ownLocation(store);
        if (own == null) {
            return Uni.createFrom().item(List.of(integrationWarehouse));
        }
        return pool.preparedQuery("SELECT warehouse_ids FROM store_locations WHERE store_id = $1 AND location_id = $2")
                .execute(Tuple.of(store.id, own))
                .map(rows -> rows.iterator().hasNext()
                        ? List.copyOf(Arrays.asList(rows.iterator().next().getArrayOfStrings(0)))
                        : List.of(integrationWarehouse));
    }

    /**
     * Every warehouse whose stock the pulls publish somewhere: {@link #ownWarehouses} and those of every mapped
     * location, without repeats (what the delta pulls must watch).
     */
    public Uni<List<String>> publishedWarehouses(Store store, String integrationWarehouse) {
        return ownWarehouses(store, integrationWarehouse).chain(own -> list(store.id).map(map -> {
            LinkedHashSet<String> all = new LinkedHashSet<>(own);
            map.forEach(l -> all.addAll(l.warehouseIds()));
            return List.copyOf(all);
        }));
    }

    /**
     * Where a movement fulfilled at {@code locationId} is booked: {@code pushWarehouseId} is null when the location
     * is not mapped (then the integration's warehouse), {@code storeHasMap} says whether that is news worth logging.
     */
    public record Route(String pushWarehouseId, boolean storeHasMap) {
    }

    public Uni<Route> route(long storeId, String locationId) {
        return pool.preparedQuery("""
                        SELECT (SELECT push_warehouse_id FROM store_locations WHERE store_id = $1 AND location_id = $2),
                               EXISTS (SELECT 1 FROM store_locations WHERE store_id = $1)""")
                .execute(Tuple.of(storeId, locationId))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Route(r.getString(0), r.getBoolean(1));
                });
    }

    /**
     * The location a movement is fulfilled at when its delivery names none: the store's own location (Shopify's
     * {@code stores.location_id} as a number, WooCommerce's one location), so an online order books where the store's
     * own location's figure comes from.
     */
    public static String ownLocation(Store store) {
        if (Platform.WOOCOMMERCE.code().equals(store.platform)) {
            return WOOCOMMERCE_LOCATION;
        }
        String id = store.locationId == null ? null : store.locationId.trim();
        if (id == null || id.isEmpty()) {
            return null;
        }
        return id.startsWith(SHOPIFY_GID) ? id.substring(SHOPIFY_GID.length()) : id;
    }

    /** WooCommerce's one location (the same id as {@code storefront.StorefrontLocation.WOOCOMMERCE_ID}). */
    public static final String WOOCOMMERCE_LOCATION = "default";
    private static final String SHOPIFY_GID = "gid://shopify/Location/";

    private static List<Location> locations(RowSet<Row> rows) {
        List<Location> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Location(r.getString("location_id"), r.getString("name"),
                    List.copyOf(Arrays.asList(r.getArrayOfStrings("warehouse_ids"))), r.getString("push_warehouse_id")));
        }
        return out;
    }
}
