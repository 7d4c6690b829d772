package ec.stocksync.storefront;

import ec.stocksync.common.UpstreamText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Shopify's JSON to our types, and what its answers mean when they are not a success: HTTP errors, GraphQL errors in a
 * 200 (THROTTLED, ACCESS_DENIED...) and the userErrors of a mutation. A 200 without data fails REJECTED, never as an
 * empty figure.
 */
final class ShopifyJson {

    private ShopifyJson() {
    }

    /** The {@code data} object of a GraphQL answer, or the typed failure the answer stands for. */
    static JsonObject data(StorefrontResponse response) {
        failIfNotOk(response);
        JsonObject json = response.jsonObject();
        JsonArray errors = json.getJsonArray("errors");
        if (errors != null && !errors.isEmpty()) {
            throw graphqlFailure(json, errors);
        }
        JsonObject data = json.getJsonObject("data");
        if (data == null) {
            throw StorefrontException.rejected(200, "no_data", "Shopify answered without data or errors");
        }
        return data;
    }

    static void failIfNotOk(StorefrontResponse response) {
        if (!response.ok()) {
            String message = "Shopify answered HTTP " + response.status();
            try {
                Object errors = response.jsonObject().getValue("errors");
                if (errors != null) {
                    message += ": " + UpstreamText.sanitize(String.valueOf(errors));
                }
            } catch (StorefrontException ignored) {
                // Non-JSON error page (e.g. from a proxy): the status alone says enough.
            }
            throw StorefrontFailures.status(response, "http_" + response.status(), message);
        }
    }

    private static StorefrontException graphqlFailure(JsonObject json, JsonArray errors) {
        StringBuilder messages = new StringBuilder();
        String firstCode = null;
        boolean throttled = false;
        boolean internal = false;
        boolean denied = false;
        for (int i = 0; i < errors.size(); i++) {
            JsonObject error = errors.getJsonObject(i);
            String code = error.getJsonObject("extensions", new JsonObject()).getString("code");
            firstCode = firstCode == null && code != null ? UpstreamText.sanitize(code) : firstCode;
            throttled |= "THROTTLED".equals(code);
            internal |= "INTERNAL_SERVER_ERROR".equals(code);
            denied |= "ACCESS_DENIED".equals(code);
            messages.append(messages.isEmpty() ? "" : "; ").append(error.getString("message"));
        }
        String message = "Shopify GraphQL errors: " + UpstreamText.sanitize(messages.toString());
        if (throttled) {
            return StorefrontException.rateLimited(200, "THROTTLED", message, throttleWait(json));
        }
        if (internal) {
            return StorefrontException.unavailable(200, "INTERNAL_SERVER_ERROR", message, null);
        }
        if (denied) {
            return StorefrontException.auth(200, "ACCESS_DENIED", message);
        }
        return StorefrontException.rejected(200, firstCode == null ? "graphql_error" : firstCode, message);
    }

    /** Time until the cost bucket refills enough for the query, from Shopify's throttleStatus; {@code null} if not given. */
    private static Duration throttleWait(JsonObject json) {
        JsonObject cost = json.getJsonObject("extensions", new JsonObject()).getJsonObject("cost");
        if (cost == null || cost.getJsonObject("throttleStatus") == null) {
            return null;
        }
        JsonObject status = cost.getJsonObject("throttleStatus");
        double requested = cost.getNumber("requestedQueryCost", 0).doubleValue();
        double available = status.getNumber("currentlyAvailable", 0).doubleValue();
        double restoreRate = status.getNumber("restoreRate", 0).doubleValue();
        if (restoreRate <= 0) {
            return null;
        }
        double seconds = Math.max(0, requested - available) / restoreRate;
        return Duration.ofMillis((long) Math.ceil(seconds * 1000));
    }

    static StorefrontException userErrorFailure(JsonArray userErrors) {
        JsonObject first = userErrors.getJsonObject(0);
        StringBuilder messages = new StringBuilder();
        for (int i = 0; i < userErrors.size(); i++) {
            JsonObject e = userErrors.getJsonObject(i);
            messages.append(messages.isEmpty() ? "" : "; ").append(e.getString("code")).append(": ").append(e.getString("message"));
        }
        String code = first.getString("code", "user_error");
        return StorefrontException.rejected(200, UpstreamText.sanitize(code), "Shopify refused the stock write: "
                + UpstreamText.sanitize(messages.toString()));
    }

    static boolean hasCode(JsonArray userErrors, String code) {
        for (int i = 0; i < userErrors.size(); i++) {
            if (code.equals(userErrors.getJsonObject(i).getString("code"))) {
                return true;
            }
        }
        return false;
    }

    static StorefrontItem toItem(JsonObject variant) {
        JsonObject inventoryItem = variant.getJsonObject("inventoryItem", new JsonObject());
        JsonObject product = variant.getJsonObject("product", new JsonObject());
        String name = variant.getString("displayName");
        if (name == null) {
            name = product.getString("title");
        }
        return new StorefrontItem(variant.getString("sku"), name, product.getString("id"), variant.getString("id"),
                inventoryItem.getString("id"), available(inventoryItem), inventoryItem.getBoolean("tracked", false));
    }

    /** {@code null} when the item is not stocked at the location. */
    static Integer available(JsonObject inventoryItem) {
        JsonObject level = inventoryItem.getJsonObject("inventoryLevel");
        if (level == null) {
            return null;
        }
        JsonArray quantities = level.getJsonArray("quantities", new JsonArray());
        for (int i = 0; i < quantities.size(); i++) {
            JsonObject q = quantities.getJsonObject(i);
            if ("available".equals(q.getString("name"))) {
                return q.getNumber("quantity").intValue();
            }
        }
        return null;
    }

    static Instant instant(String time) {
        if (time == null || time.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
