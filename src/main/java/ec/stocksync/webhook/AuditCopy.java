package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ec.stocksync.store.Platform;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The copy of a delivery that webhook_events.payload keeps: an allow-list projection of the parsed order or refund,
 * so that names, emails, phones, addresses, IPs, user agents, notes, customer objects and meta data never reach the
 * table (DESIGN rule 11, LOPDP minimisation). Only what booking, reconciliation and audit read is named: ids, number,
 * status, timestamps and lines (id, SKU, quantities, product and variant ids). An allow-list rather than a deny-list, so
 * a field a storefront adds tomorrow is dropped until someone decides it is needed.
 *
 * <p>V17's {@code webhook_payload_spec} is the SQL twin used on existing rows: keep both in step.
 */
public final class AuditCopy {

    /** A key kept as is, but only when its value is a scalar: an object under an allowed name is still dropped. */
    private static final Spec SCALAR = new Spec(Map.of());

    /** Kept keys: {@link #SCALAR} or a nested spec applied to an object or to each object of an array. */
    private record Spec(Map<String, Spec> keys) {
    }

    private static Spec spec(Object... pairs) {
        Map<String, Spec> keys = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i++) {
            String key = (String) pairs[i];
            if (i + 1 < pairs.length && pairs[i + 1] instanceof Spec nested) {
                keys.put(key, nested);
                i++;
            } else {
                keys.put(key, SCALAR);
            }
        }
        return new Spec(keys);
    }

    // gift_card and variant_inventory_management are read by ShopifyPayloads to decide whether a line moves stock.
    private static final Spec SHOPIFY_LINE = spec("id", "sku", "quantity", "current_quantity", "fulfillable_quantity",
            "fulfillment_status", "product_id", "variant_id", "gift_card", "variant_inventory_management");
    private static final Spec SHOPIFY_REFUND = spec("id", "order_id", "created_at", "processed_at", "restock",
            "refund_line_items", spec("id", "line_item_id", "quantity", "restock_type", "location_id",
                    "line_item", SHOPIFY_LINE));
    // test: why an order was ignored. refunds: a reconciliation books an order with its refunds.
    private static final Spec SHOPIFY_ORDER = spec("id", "name", "number", "order_number", "test", "created_at",
            "updated_at", "processed_at", "cancelled_at", "closed_at", "financial_status", "fulfillment_status",
            "line_items", SHOPIFY_LINE, "refunds", SHOPIFY_REFUND);
    // An order edit: ids, dates and the lines' deltas (its staff note is free text, dropped).
    private static final Spec SHOPIFY_EDIT = spec("order_edit", spec("id", "order_id", "created_at", "committed_at",
            "line_items", spec("additions", spec("id", "delta"), "removals", spec("id", "delta"))));
    // A WooCommerce refund summary in an order carries a free-text reason: only its id is kept.
    private static final Spec WOO_ORDER = spec("id", "parent_id", "number", "status", "date_created",
            "date_created_gmt", "date_modified", "date_modified_gmt", "date_paid", "date_paid_gmt", "date_completed",
            "date_completed_gmt", "line_items", spec("id", "sku", "quantity", "product_id", "variation_id"),
            "refunds", spec("id"));

    private AuditCopy() {
    }

    /**
     * The kept part of {@code payload} as a delivery of {@code topic} on {@code platform}; null when the payload is not
     * a JSON object (nothing in it is known to be safe to keep).
     */
    public static ObjectNode of(Platform platform, String topic, JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            return null;
        }
        return project(payload, specFor(platform, topic));
    }

    private static Spec specFor(Platform platform, String topic) {
        if (platform == Platform.SHOPIFY) {
            return ShopifyPayloads.REFUNDS_CREATE.equals(topic) ? SHOPIFY_REFUND
                    : ShopifyPayloads.ORDERS_EDITED.equals(topic) ? SHOPIFY_EDIT : SHOPIFY_ORDER;
        }
        // Every WooCommerce topic: an ignored one (a customer, a product) keeps at most its id and dates.
        return WOO_ORDER;
    }

    private static ObjectNode project(JsonNode node, Spec spec) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        spec.keys().forEach((key, rule) -> {
            JsonNode v = node.get(key);
            if (v == null) {
                return;
            }
            if (rule == SCALAR) {
                if (v.isValueNode()) {
                    out.set(key, v);
                }
            } else if (v.isObject()) {
                out.set(key, project(v, rule));
            } else if (v.isArray()) {
                ArrayNode items = out.putArray(key);
                v.forEach(e -> {
                    if (e.isObject()) {
                        items.add(project(e, rule));
                    }
                });
            }
        });
        return out;
    }
}
