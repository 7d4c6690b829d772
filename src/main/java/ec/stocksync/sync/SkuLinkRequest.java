package ec.stocksync.sync;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code PUT /api/stores/{id}/sku-links/{sku}}: either the Contifico product to link the SKU to, or
 * {@code "notSynced": true}.
 */
@Schema(name = "SkuLinkRequest", description = "Link the storefront SKU to a Contifico product, or mark it as not synced"
        + " (exactly one of the two).")
public record SkuLinkRequest(
        @Schema(description = "The Contifico product's id (not its code), e.g. from GET /api/stores/{id}/catalog/contifico.",
                maxLength = 100, examples = "lY4erkB4vtrVa2Lz")
        @Size(min = 1, max = 100, message = "must be 1 to 100 characters")
        @Pattern(regexp = "[A-Za-z0-9_-]+", message = "must be a Contifico product id (letters, digits, - and _)")
        String contificoProductId,
        @Schema(description = "true: pulls skip the SKU and its sales go DEAD without booking anything in Contifico.",
                examples = "true")
        Boolean notSynced) {

    static final String EXAMPLE = """
            {"contificoProductId": "lY4erkB4vtrVa2Lz"}""";

    public SkuLinkRequest {
        contificoProductId = contificoProductId == null ? null : contificoProductId.trim();
    }

    @Schema(hidden = true)
    @AssertTrue(message = "give either contificoProductId or \"notSynced\": true, not both")
    public boolean isOneOfTheTwo() {
        return (contificoProductId != null) != Boolean.TRUE.equals(notSynced)
                && !(Boolean.FALSE.equals(notSynced) && contificoProductId == null);
    }
}
