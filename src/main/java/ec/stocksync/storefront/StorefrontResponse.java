package ec.stocksync.storefront;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * One storefront answer, whatever its status, read to the end: the operations decide what a status means, the
 * transport only that an answer came. The body stays text until an operation asks for the shape it expects, so an
 * answer of the wrong shape fails typed (REJECTED) instead of reaching the stock figures.
 */
record StorefrontResponse(int status, UnaryOperator<String> headers, String body) {

    /** Trees only (no data binding), so nothing here needs reflection in native mode. */
    static final ObjectMapper JSON = new ObjectMapper();

    static StorefrontResponse of(Response response) {
        String body = response.hasEntity() ? response.readEntity(String.class) : "";
        // Header look-ups only: the JAX-RS response is not kept, so nothing holds its buffers after this.
        var headers = response.getStringHeaders();
        return new StorefrontResponse(response.getStatus(), name -> headers.getFirst(name), body);
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    String header(String name) {
        return headers.apply(name);
    }

    JsonObject jsonObject() {
        try {
            return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw StorefrontException.rejected(status, "invalid_json", "storefront answered with a body that is not a JSON object");
        }
    }

    JsonArray jsonArray() {
        try {
            return new JsonArray(body);
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            throw StorefrontException.rejected(status, "invalid_json", "storefront answered with a body that is not a JSON array");
        }
    }

    /** The body as a Jackson tree: orders go to the webhook parsers, which read Jackson and need exact 64-bit ids. */
    JsonNode jsonTree() {
        try {
            return JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw StorefrontException.rejected(status, "invalid_json", "storefront answered with a body that is not JSON");
        }
    }

    /** Retry-After in seconds (Shopify sends decimals such as "2.0"); {@code null} when absent or unreadable. */
    Duration retryAfter() {
        String value = header("Retry-After");
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
