package ec.stocksync.sandbox.demo;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/demo/sale}: one sale of a demo SKU, sent as Shopify would. */
@Schema(name = "DemoSaleRequest")
public record DemoSaleRequest(
        @Schema(description = "The store to sell in; absent = the demo store (dev mode).")
        Long storeId,
        @Schema(description = "A SKU the demo shop sells (GET /api/demo lists them).", examples = "PT-0002-50ml")
        @NotBlank(message = "is required")
        String sku,
        @Schema(minimum = "1", maximum = "1000", defaultValue = "1")
        @Min(value = 1, message = QUANTITY_RULE)
        @Max(value = 1000, message = QUANTITY_RULE)
        Integer quantity) {

    static final String QUANTITY_RULE = "must be a whole number from 1 to 1000";
    static final String EXAMPLE = """
            {"sku": "PT-0002-50ml", "quantity": 2}""";

    public DemoSaleRequest {
        sku = sku == null ? null : sku.trim();
    }
}
