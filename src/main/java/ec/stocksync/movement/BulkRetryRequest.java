package ec.stocksync.movement;

import jakarta.validation.constraints.Min;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The optional body of {@code POST /api/movements/retry}: the count the operator saw, so a grown list changes nothing. */
@Schema(name = "BulkRetryRequest")
public record BulkRetryRequest(
        @Schema(description = "How many movements the operator saw match; if more or fewer match now, nothing changes (409).",
                examples = "12")
        @Min(value = 0, message = "must be a whole number from 0 to 2147483647")
        Integer expected) {

    static final String EXAMPLE = """
            {"expected": 12}""";
}
