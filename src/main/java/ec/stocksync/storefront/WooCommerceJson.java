package ec.stocksync.storefront;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.UpstreamText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** WooCommerce's JSON to our types: items, stock figures, per-item batch answers, order timestamps. */
final class WooCommerceJson {

    private WooCommerceJson() {
    }

    static StorefrontItem productItem(JsonObject product) {
        return new StorefrontItem(product.getString("sku"), product.getString("name"), String.valueOf(product.getLong("id")),
                null, null, stockOf(product), managed(product));
    }

    static StorefrontItem variationItem(JsonObject parent, JsonObject variation) {
        String name = variation.getString("name");
        if (name == null || name.isBlank()) {
            StringBuilder b = new StringBuilder(String.valueOf(parent.getString("name")));
            JsonArray attributes = variation.getJsonArray("attributes", new JsonArray());
            for (int i = 0; i < attributes.size(); i++) {
                b.append(i == 0 ? " - " : ", ").append(attributes.getJsonObject(i).getString("option"));
            }
            name = b.toString();
        }
        return new StorefrontItem(variation.getString("sku"), name, String.valueOf(parent.getLong("id")),
                String.valueOf(variation.getLong("id")), null, stockOf(variation), managed(variation));
    }

    /** One line of a batch answer: the figure written, or why WooCommerce refused this item alone. */
    static StockWriteResult batchResult(StockWrite w, JsonObject answer) {
        if (answer == null) {
            return StockWriteResult.failure(w, StorefrontException.rejected(200, "missing_in_batch",
                    "WooCommerce's batch answer did not mention " + w.item().sku()));
        }
        JsonObject error = answer.getJsonObject("error");
        if (error != null) {
            JsonObject data = error.getJsonObject("data", new JsonObject());
            int status = data.getInteger("status", 400);
            String code = UpstreamText.sanitize(error.getString("code", "batch_error"));
            String message = "WooCommerce refused the stock of " + w.item().sku() + ": "
                    + UpstreamText.sanitize(error.getString("message"));
            return StockWriteResult.failure(w, status == 404
                    ? new StorefrontException(StorefrontException.Kind.NOT_FOUND, status, code, message)
                    : StorefrontException.rejected(status, code, message));
        }
        Integer written = stockOf(answer);
        return StockWriteResult.success(w, written == null ? w.newQuantity() : written);
    }

    /** stock_quantity is null when not managed and may come as a decimal from some plugins. */
    static Integer stockOf(JsonObject json) {
        Object value = json.getValue("stock_quantity");
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value instanceof String s && !s.isBlank()) {
            try {
                return (int) Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A variation's manage_stock may be "parent": the parent tracks the stock, so it is still managed. */
    static boolean managed(JsonObject json) {
        Object value = json.getValue("manage_stock");
        return Boolean.TRUE.equals(value) || "parent".equals(value);
    }

    /** Orders go to the webhook parsers, which read Jackson trees. */
    static JsonNode tree(JsonObject order) {
        try {
            return StorefrontResponse.JSON.readTree(order.encode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a decoded JSON object did not re-encode", e);
        }
    }

    /** WooCommerce's GMT dates carry no offset. */
    static Instant gmtInstant(String time) {
        if (time == null || time.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(time).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
