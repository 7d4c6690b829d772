package ec.stocksync.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.Validator;
import jakarta.validation.groups.Default;

/**
 * Validates a request record where the rules depend on the operation (a create needs every required field, a patch
 * only what it names), so they cannot be fixed by {@code @Valid} on the parameter. Fails as the endpoints' own
 * validation does: 400 {@code invalid_field}, before anything is read or written.
 */
@ApplicationScoped
public class Requests {

    /** The constraints of a whole resource (create, replace) on top of the per-field ones. */
    public interface Whole extends Default {
    }

    @Inject
    Validator validator;

    public <T> T valid(T request, Class<?> group) {
        var violations = validator.validate(request, group);
        if (!violations.isEmpty()) {
            throw Violations.toApiException(violations);
        }
        return request;
    }
}
