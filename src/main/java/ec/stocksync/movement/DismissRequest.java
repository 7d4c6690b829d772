package ec.stocksync.movement;

import jakarta.validation.constraints.NotBlank;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.hibernate.validator.constraints.CodePointLength;

/**
 * The body of {@code POST /api/movements/{id}/dismiss}: why the sale is given up, kept for the audit. Lengths count
 * characters as people see them (code points), so an accented or emoji reason is not cut short.
 */
@Schema(name = "DismissRequest")
public record DismissRequest(
        @Schema(description = "Why the sale is given up, kept for the audit; trimmed.", minLength = 3, maxLength = 500,
                examples = "Registrada a mano en Contifico (EGR 001-0042)")
        @NotBlank(message = "is required")
        @CodePointLength(min = MovementResource.REASON_MIN, max = MovementResource.REASON_MAX,
                message = "must be " + MovementResource.REASON_MIN + " to " + MovementResource.REASON_MAX + " characters")
        String reason) {

    static final String EXAMPLE = """
            {"reason": "Registrada a mano en Contifico (EGR 001-0042)"}""";

    public DismissRequest {
        reason = reason == null ? null : reason.trim();
    }
}
