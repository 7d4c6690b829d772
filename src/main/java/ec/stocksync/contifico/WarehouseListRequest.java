package ec.stocksync.contifico;

import ec.stocksync.store.StoreIntegration;
import ec.stocksync.store.StoreRequest;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The optional body of {@code POST /api/stores/{id}/contifico/warehouses}: a key to try before it is saved. */
@RegisterForReflection
@Schema(name = "WarehouseListRequest", requiredProperties = "apiKey",
        description = "A Contifico key (and address) to list the warehouses of; nothing is saved. Without a body, the"
                + " store's saved integration is used.")
public record WarehouseListRequest(
        @Schema(description = "Contifico API key (write-only).")
        @NotNull(message = "is required")
        @Size(max = StoreRequest.SECRET_MAX, message = "must be at most " + StoreRequest.SECRET_MAX + " characters")
        String apiKey,
        @Schema(description = "Contifico's API address; absent = " + StoreIntegration.DEFAULT_CONTIFICO_BASE_URL)
        @Size(max = StoreRequest.URL_MAX, message = "must be at most " + StoreRequest.URL_MAX + " characters")
        @Pattern(regexp = StoreRequest.URL, message = StoreRequest.URL_RULE)
        String baseUrl) {

    static final String EXAMPLE = """
            {"apiKey": "…"}""";

    public WarehouseListRequest {
        apiKey = StoreRequest.text(apiKey);
        baseUrl = StoreRequest.url(baseUrl);
    }
}
