package ec.stocksync.common;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.constraints.NotNull;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Bean Validation failures in the API's words: {@code invalid_field} with "field: what is wrong", the field first so
 * the dashboard can pick its own sentence for it. The rejected value is never repeated: it may be a secret.
 */
public final class Violations {

    private Violations() {
    }

    public static boolean onReturnValue(Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream().anyMatch(v -> {
            for (Path.Node n : v.getPropertyPath()) {
                if (n.getKind() == ElementKind.RETURN_VALUE) {
                    return true;
                }
            }
            return false;
        });
    }

    public static ApiException toApiException(Set<? extends ConstraintViolation<?>> violations) {
        boolean bodyMissing = violations.stream().anyMatch(v -> BODY_PARAMETER.equals(field(v))
                && v.getConstraintDescriptor().getAnnotation() instanceof NotNull);
        if (bodyMissing) {
            return ApiException.badRequest("missing_body", "Send a JSON object in the request body.");
        }
        String message = violations.stream().map(v -> field(v) + ": " + v.getMessage())
                .distinct().sorted().collect(Collectors.joining("; "));
        return ApiException.badRequest("invalid_field", message);
    }

    /**
     * The path as the client wrote it: the body's fields and list indexes ({@code skus[2]}), without the method and
     * parameter that Bean Validation puts first; a query parameter, or a body as a whole, is named by its parameter.
     */
    static String field(ConstraintViolation<?> v) {
        StringBuilder out = new StringBuilder();
        String parameter = null;
        for (Path.Node n : v.getPropertyPath()) {
            if (n.getKind() == ElementKind.PARAMETER) {
                parameter = n.getName();
                continue;
            }
            if (n.getKind() == ElementKind.PROPERTY) {
                out.append(out.isEmpty() ? "" : ".").append(n.getName());
            }
            if (n.getIndex() != null) {
                out.append('[').append(n.getIndex()).append(']');
            }
        }
        return out.isEmpty() && parameter != null ? parameter : out.toString();
    }

    /** Every resource method names its request body {@code body}, so a missing one can be told from a parameter. */
    static final String BODY_PARAMETER = "body";
}
