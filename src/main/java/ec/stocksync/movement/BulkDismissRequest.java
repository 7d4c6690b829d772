package ec.stocksync.movement;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.hibernate.validator.constraints.CodePointLength;

/** The body of {@code POST /api/movements/dismiss}: one reason for every movement, and the count the operator saw. */
@Schema(name = "BulkDismissRequest")
public record BulkDismissRequest(
        @Schema(description = "Why these sales are given up, kept on each for the audit; trimmed.", minLength = 3,
                maxLength = 500, examples = "Productos retirados del catálogo")
        @NotBlank(message = "is required")
        @CodePointLength(min = MovementResource.REASON_MIN, max = MovementResource.REASON_MAX,
                message = "must be " + MovementResource.REASON_MIN + " to " + MovementResource.REASON_MAX + " characters")
        String reason,
        @Schema(description = "How many movements the operator saw match; if more or fewer match now, nothing changes (409).",
                examples = "3")
        @Min(value = 0, message = "must be a whole number from 0 to 2147483647")
        Integer expected) {

    static final String EXAMPLE = """
            {"reason": "Productos retirados del catálogo", "expected": 3}""";

    public BulkDismissRequest {
        reason = reason == null ? null : reason.trim();
    }
}
