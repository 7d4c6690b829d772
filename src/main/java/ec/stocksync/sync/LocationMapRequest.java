package ec.stocksync.sync;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import ec.stocksync.store.StoreRequest;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The body of {@code PUT /api/stores/{id}/locations}: the store's whole location map (an empty list removes it, and
 * the store's one location follows the integration's warehouse again).
 */
@RegisterForReflection
@Schema(name = "LocationMapRequest", description = "The store's whole location map; [] removes it.")
public record LocationMapRequest(
        @NotNull(message = "is required (an empty list removes the map)")
        @Size(max = LocationMapRequest.MAX_LOCATIONS, message = "at most " + LocationMapRequest.MAX_LOCATIONS + " locations")
        List<@NotNull(message = "must be an object") @Valid Entry> locations) {

    static final int MAX_LOCATIONS = 100;
    static final int MAX_WAREHOUSES = 20;
    static final String WAREHOUSE_RULE = "must be Contifico warehouse ids (letters, digits, - and _, at most 100)";

    static final String EXAMPLE = """
            {"locations": [
              {"locationId": 655441491, "warehouseIds": ["nRMdROzqhvDZel6Y"]},
              {"locationId": 655441492, "warehouseIds": ["BQ9pdBB26H52d8KE", "Xk3pd9B26H52d8Lq"],
               "pushWarehouseId": "BQ9pdBB26H52d8KE"}]}""";

    @RegisterForReflection
    @Schema(name = "LocationMapEntry")
    public record Entry(
            @Schema(description = "Shopify location id (number, or its gid); for WooCommerce leave it out or give \"default\".",
                    examples = "655441491")
            @JsonDeserialize(using = StoreRequest.IdText.class)
            @Size(max = 100, message = "must be at most 100 characters")
            String locationId,
            @Schema(description = "Contifico warehouses whose stock, summed, is published to the location (1 to 20).")
            @NotEmpty(message = "must list 1 to " + MAX_WAREHOUSES + " warehouses")
            @Size(max = MAX_WAREHOUSES, message = "must list 1 to " + MAX_WAREHOUSES + " warehouses")
            List<@NotNull(message = WAREHOUSE_RULE) @Pattern(regexp = "[A-Za-z0-9_-]{1,100}", message = WAREHOUSE_RULE) String> warehouseIds,
            @Schema(description = "Warehouse a sale or restock at the location is booked in: one of warehouseIds;"
                    + " may be left out when there is only one.", examples = "nRMdROzqhvDZel6Y")
            @Pattern(regexp = "[A-Za-z0-9_-]{1,100}", message = WAREHOUSE_RULE)
            String pushWarehouseId) {

        public Entry {
            locationId = locationId == null || locationId.isBlank() ? null : locationId.trim();
            pushWarehouseId = pushWarehouseId == null || pushWarehouseId.isBlank() ? null : pushWarehouseId.trim();
        }
    }
}
