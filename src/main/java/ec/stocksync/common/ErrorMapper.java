package ec.stocksync.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Objects;
import java.util.stream.Collectors;

/** Turns every failure into {@code {"error", "message"}} JSON with the right status, so clients never parse HTML. */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    public static Response response(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(code, message)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return response(e.status(), e.code(), e.getMessage());
    }

    /** A field the request record does not have (the admin API reads bodies with {@link StrictJson}). */
    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        String allowed = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Objects::toString)
                .sorted().collect(Collectors.joining(", "));
        return response(400, "unknown_field", fieldPath(e) + ": is not a field of this resource (allowed: " + allowed + ").");
    }

    /**
     * Bean Validation of an endpoint's parameters and bodies: 400 naming each field, in the project's error shape
     * (Quarkus' own mapper would answer its ViolationReport). A violation on what the service returns is its own bug.
     */
    @ServerExceptionMapper
    public Response violations(ResteasyReactiveViolationException e) {
        if (Violations.onReturnValue(e.getConstraintViolations())) {
            LOG.error("An endpoint answered a value that breaks its own constraints", e);
            return response(500, "internal_error", "The service failed unexpectedly; nothing was changed. See the service log.");
        }
        ApiException api = Violations.toApiException(e.getConstraintViolations());
        return response(api.status(), api.code(), api.getMessage());
    }

    private static String fieldPath(MismatchedInputException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        if (e instanceof UnrecognizedPropertyException upe) {
            return unknownField(upe);
        }
        String field = fieldPath(e);
        if (field.isEmpty()) {
            return response(400, "malformed_json", "The request body is not the JSON object this endpoint expects.");
        }
        // Never the rejected value: it may be a secret sent in the wrong field.
        String message = e instanceof InvalidFormatException ? "has the wrong type or format" : "has the wrong type";
        return response(400, "invalid_field", field + ": " + message);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return response(400, "malformed_json", "The request body is not valid JSON.");
    }

    /**
     * JAX-RS answers a query parameter it cannot convert (a letter where a number goes) with a 404, as for a path that
     * does not exist. A bad query value is the client's input, so it is a 400 naming the parameter; the converter's
     * message quotes the value, which is how the parameter is found. A bad path segment stays a 404.
     */
    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri) {
        if (e.getCause() instanceof IllegalArgumentException bad && uri != null) {
            String parameter = queryParameterOf(bad, uri.getQueryParameters());
            if (parameter != null) {
                return response(400, "invalid_field", parameter + ": " + (bad instanceof NumberFormatException
                        ? "must be a whole number" : "is not one of the accepted values"));
            }
        }
        return response(404, "not_found", "No such resource.");
    }

    private static String queryParameterOf(IllegalArgumentException bad, MultivaluedMap<String, String> query) {
        String message = bad.getMessage() == null ? "" : bad.getMessage();
        for (var entry : query.entrySet()) {
            for (String value : entry.getValue()) {
                // NumberFormatException quotes the value; an enum's valueOf ends with ".VALUE".
                if (message.contains("\"" + value + "\"") || (!value.isEmpty() && message.endsWith("." + value))) {
                    return entry.getKey();
                }
            }
        }
        return null;
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return response(405, "method_not_allowed", "This method is not allowed on this resource.");
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return response(415, "unsupported_media_type", "Send the body as application/json.");
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof MismatchedInputException mie) {
            return mismatchedInput(mie);
        }
        if (e.getCause() instanceof JsonProcessingException) {
            return malformedJson(null);
        }
        if (status == 400) {
            return response(400, "bad_request", "The request could not be read: " + e.getMessage());
        }
        return response(status, "http_" + status, e.getMessage());
    }

    @ServerExceptionMapper
    public Response database(PgException e) {
        if ("23505".equals(e.getSqlState())) {
            // A unique constraint lost a race the service checks for first (e.g. two integrations at once).
            return response(409, "conflict", "A concurrent request already created this; reload and try again.");
        }
        LOG.errorf(e, "Database error (%s)", e.getSqlState());
        return response(503, "database_error", "The database could not complete the request; nothing was changed. Try again.");
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        LOG.error("Unexpected failure", e);
        return response(500, "internal_error", "The service failed unexpectedly; nothing was changed. See the service log.");
    }
}
