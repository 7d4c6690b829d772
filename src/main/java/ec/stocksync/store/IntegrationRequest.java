package ec.stocksync.store;

import ec.stocksync.common.Requests;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A store's Contifico integration as a client writes it ({@code POST}, {@code PATCH}). The key and the POS token are
 * write-only ({@link IntegrationView} says only whether they are set). Before anything is saved the service checks the
 * key and the warehouse against Contifico.
 */
@RegisterForReflection
@Schema(name = "IntegrationRequest", requiredProperties = {"provider", "apiKey", "warehouseId"},
        description = "The store's Contifico connection: the required fields are those of a creation; a PATCH names any"
                + " of them. The API key and POS token are write-only.")
public record IntegrationRequest(
        @Schema(enumeration = "contifico", description = "Required on creation.")
        @NotNull(groups = Requests.Whole.class, message = "is required")
        @Pattern(regexp = "contifico", message = "must be \"contifico\"")
        String provider,
        @Schema(description = "Contifico's API address; absent = " + StoreIntegration.DEFAULT_CONTIFICO_BASE_URL)
        @Size(max = StoreRequest.URL_MAX, message = "must be at most " + StoreRequest.URL_MAX + " characters")
        @Pattern(regexp = StoreRequest.URL, message = StoreRequest.URL_RULE)
        String baseUrl,
        @Schema(description = "Contifico API key (write-only). Send it again when baseUrl changes.")
        @NotNull(groups = Requests.Whole.class, message = "is required")
        @Size(max = StoreRequest.SECRET_MAX, message = "must be at most " + StoreRequest.SECRET_MAX + " characters")
        String apiKey,
        @Schema(description = "Contifico POS token (write-only), for booking documents.")
        @Size(max = StoreRequest.SECRET_MAX, message = "must be at most " + StoreRequest.SECRET_MAX + " characters")
        String posToken,
        @Schema(description = "The Contifico warehouse (bodega) whose stock is the store's.", examples = "nRMdROzqhvDZel6Y")
        @NotNull(groups = Requests.Whole.class, message = "is required")
        @Size(max = StoreRequest.ID_MAX, message = "must be at most " + StoreRequest.ID_MAX + " characters")
        String warehouseId) {

    static final String EXAMPLE = """
            {"provider": "contifico", "apiKey": "…", "posToken": "…", "warehouseId": "nRMdROzqhvDZel6Y"}""";
    static final String EXAMPLE_PATCH = """
            {"warehouseId": "Kp3rT9xQbW2LmZ8a"}""";

    public IntegrationRequest {
        provider = StoreRequest.text(provider);
        baseUrl = StoreRequest.url(baseUrl);
        apiKey = StoreRequest.text(apiKey);
        posToken = StoreRequest.text(posToken);
        warehouseId = StoreRequest.text(warehouseId);
    }
}
