package ec.stocksync.movement;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/movements/{id}/dismiss}: why the sale is given up, kept for the audit. */
@Schema(name = "DismissRequest")
public record DismissRequest(
        @Schema(description = "Why the sale is given up, kept for the audit; trimmed.", minLength = 3, maxLength = 500,
                examples = "Registrada a mano en Contifico (EGR 001-0042)")
        @NotBlank(message = "is required")
        @Size(min = MovementResource.REASON_MIN, max = MovementResource.REASON_MAX,
                message = "must be " + MovementResource.REASON_MIN + " to " + MovementResource.REASON_MAX + " characters")
        String reason) {

    static final String EXAMPLE = """
            {"reason": "Registrada a mano en Contifico (EGR 001-0042)"}""";

    public DismissRequest {
        reason = reason == null ? null : reason.trim();
    }
}
