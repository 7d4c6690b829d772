package ec.stocksync.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads fields of a JSON object body with errors that name the field. Used by endpoints whose PATCH semantics need
 * to tell "absent" from "null".
 */
public final class JsonFields {

    private final ObjectNode body;

    private JsonFields(ObjectNode body) {
        this.body = body;
    }

    public static JsonFields of(JsonNode body, Set<String> allowed) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ApiException.badRequest("missing_body", "Send a JSON object in the request body.");
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("malformed_json", "The request body must be a JSON object.");
        }
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ApiException(400, "unknown_field", name + ": is not a field of this resource (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ").");
            }
        }
        return new JsonFields((ObjectNode) body);
    }

    public boolean has(String field) {
        return body.has(field);
    }

    /** The trimmed text, or null when absent, null or blank. */
    public String text(String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.invalidField(field, "must be a string");
        }
        String v = n.asText().trim();
        return v.isEmpty() ? null : v;
    }

    /** A whole number within [min, max], or null when absent or null; fractions, text and overflow are refused. */
    public Long wholeNumber(String field, long min, long max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw ApiException.invalidField(field, "must be a whole number from " + min + " to " + max);
        }
        return n.asLong();
    }

    public String requiredText(String field) {
        String v = text(field);
        if (v == null) {
            throw ApiException.invalidField(field, "is required");
        }
        return v;
    }

    /** A Shopify location id may come as a number or a string: keep it as text, exactly. */
    public String idText(String field) {
        JsonNode n = body.get(field);
        if (n != null && n.isIntegralNumber()) {
            return n.asText();
        }
        return text(field);
    }

    public Boolean bool(String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalidField(field, "must be true or false");
        }
        return n.asBoolean();
    }

    public boolean bool(String field, boolean dflt) {
        Boolean b = bool(field);
        return b == null ? dflt : b;
    }

    /** An absolute http(s) URL without a trailing slash, or null. */
    public String url(String field) {
        String v = text(field);
        if (v == null) {
            return null;
        }
        try {
            URI u = URI.create(v);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw ApiException.invalidField(field, "must be an absolute http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField(field, "must be an absolute http(s) URL");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }
}
