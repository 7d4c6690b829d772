package ec.stocksync.access;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.hibernate.validator.constraints.CodePointLength;

/** The body of {@code POST /api/tokens}. */
@Schema(name = "TokenRequest")
public record TokenRequest(
        @Schema(description = "Who or what uses the token; trimmed.", maxLength = TokenResource.NAME_MAX,
                examples = "Dashboard Perfumería Quito")
        @NotBlank(message = "is required")
        @CodePointLength(max = TokenResource.NAME_MAX, message = NAME_RULE)
        @Pattern(regexp = "[^\\p{Cntrl}]*", message = NAME_RULE)
        String name,
        @Schema(description = "Limit the token to one store; absent = an admin token.", minimum = "1")
        @Min(value = 1, message = "must be a whole number from 1 to " + Long.MAX_VALUE)
        Long storeId,
        @Schema(enumeration = {"read-only", "read-write"})
        @NotBlank(message = "is required")
        @Pattern(regexp = "read-only|read-write", message = "must be read-only or read-write")
        String access,
        @Schema(description = "Days until it expires.", minimum = "1", maximum = "366", defaultValue = "90")
        @Min(value = 1, message = DAYS_RULE)
        @Max(value = TokenResource.MAX_DAYS, message = DAYS_RULE)
        Integer expiresInDays) {

    static final String EXAMPLE = """
            {"name": "Dashboard Perfumería Quito", "storeId": 12, "access": "read-only", "expiresInDays": 90}""";

    static final String NAME_RULE = "must be 1 to " + TokenResource.NAME_MAX + " characters, without control characters";
    static final String DAYS_RULE = "must be a whole number from 1 to " + TokenResource.MAX_DAYS;

    public TokenRequest {
        name = name == null ? null : name.trim();
        access = access == null ? null : access.trim();
    }
}
