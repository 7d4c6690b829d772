package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ec.stocksync.movement.MovementDraft;
import ec.stocksync.movement.MovementKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns Shopify order and refund payloads into movements. Pure: the same payload always gives the same business
 * keys, which is what makes redeliveries, a second subscription or a later reconciliation book nothing twice.
 */
public final class ShopifyPayloads {

    public static final String ORDERS_CREATE = "orders/create";
    public static final String REFUNDS_CREATE = "refunds/create";
    public static final String ORDERS_CANCELLED = "orders/cancelled";

    /** Refund lines that put units back on the shelf; {@code no_restock} books nothing. */
    static final Set<String> RESTOCKING = Set.of("cancel", "return", "legacy_restock");

    private ShopifyPayloads() {
    }

    public static ParsedDelivery parse(String topic, JsonNode payload, boolean processTestOrders) {
        return switch (topic) {
            case ORDERS_CREATE -> orderCreated(payload, processTestOrders);
            case REFUNDS_CREATE -> refundCreated(payload);
            // Shopify's cancellation restocks through a refund with restock_type "cancel": booking here too would
            // count those units twice.
            case ORDERS_CANCELLED -> ParsedDelivery.ignored(idText(payload, "id"), WebhookOutcome.IGNORED_TOPIC,
                    "orders/cancelled books nothing: its restock arrives as refunds/create");
            default -> ParsedDelivery.ignored(payload.path("id").asText(null), WebhookOutcome.IGNORED_TOPIC,
                    "topic " + topic + " does not move stock");
        };
    }

    /**
     * An order as the REST API lists it, read as the deliveries it stands for: {@code orders/create} for the order,
     * then {@code refunds/create} for each refund in its {@code refunds[]}, with their business keys. Refunds of a test
     * order the store does not process book nothing: the units they would put back were never booked as sold.
     */
    public static ParsedDelivery orderWithRefunds(JsonNode order, boolean processTestOrders) {
        ParsedDelivery sale = orderCreated(order, processTestOrders);
        if (sale.outcome() == WebhookOutcome.IGNORED_TEST_ORDER) {
            return sale;
        }
        JsonNode refunds = order.path("refunds");
        if (!refunds.isArray() || refunds.isEmpty()) {
            return sale;
        }
        List<MovementDraft> drafts = new ArrayList<>(sale.drafts());
        List<SkippedLine> skipped = new ArrayList<>(sale.skipped());
        List<String> refundIds = new ArrayList<>();
        for (JsonNode refund : refunds) {
            ParsedDelivery restock = refundCreated(refund.has("order_id") || !refund.isObject() ? refund
                    : ((ObjectNode) refund.deepCopy()).put("order_id", sale.resourceId()));
            drafts.addAll(restock.drafts());
            skipped.addAll(restock.skipped());
            refundIds.add(idText(refund, "id"));
        }
        return ParsedDelivery.of(sale.resourceId(), drafts, skipped, "order with refund(s) " + String.join(", ", refundIds));
    }

    static ParsedDelivery orderCreated(JsonNode order, boolean processTestOrders) {
        String orderId = idText(order, "id");
        String orderName = order.path("name").asText(null);
        if (order.path("test").asBoolean(false) && !processTestOrders) {
            return ParsedDelivery.ignored(orderId, WebhookOutcome.IGNORED_TEST_ORDER,
                    "test order: recorded, not booked (the store has processTestOrders off)");
        }
        JsonNode lines = order.get("line_items");
        if (lines == null || !lines.isArray()) {
            throw new PayloadException("line_items: must be an array");
        }
        // Lines of one SKU in one order become one movement, in first-seen order.
        Map<String, Integer> quantityBySku = new LinkedHashMap<>();
        List<SkippedLine> skipped = new ArrayList<>();
        for (JsonNode line : lines) {
            String lineId = idText(line, "id");
            String sku = sku(line.get("sku"));
            int quantity = line.path("quantity").asInt(0);
            if (line.path("gift_card").asBoolean(false)) {
                skipped.add(new SkippedLine(lineId, sku, "gift card: no stock to move"));
            } else if (!"shopify".equals(line.path("variant_inventory_management").asText(null))) {
                skipped.add(new SkippedLine(lineId, sku, "Shopify does not track stock for this line"
                        + " (variant_inventory_management is " + line.path("variant_inventory_management").asText("null") + ")"));
            } else if (sku == null) {
                skipped.add(new SkippedLine(lineId, null, "line has no SKU: give the variant a SKU that matches Contifico's codigo"));
            } else if (quantity <= 0) {
                skipped.add(new SkippedLine(lineId, sku, "quantity is " + quantity));
            } else {
                quantityBySku.merge(sku, quantity, Integer::sum);
            }
        }
        List<MovementDraft> drafts = new ArrayList<>();
        quantityBySku.forEach((sku, qty) -> drafts.add(new MovementDraft(sku, MovementKind.SALE, qty,
                "shopify:order:" + orderId + ":sku:" + sku + ":SALE", orderId, orderName)));
        return ParsedDelivery.of(orderId, drafts, skipped, null);
    }

    static ParsedDelivery refundCreated(JsonNode refund) {
        String refundId = idText(refund, "id");
        String orderId = idText(refund, "order_id");
        JsonNode lines = refund.get("refund_line_items");
        if (lines == null || !lines.isArray()) {
            throw new PayloadException("refund_line_items: must be an array");
        }
        List<MovementDraft> drafts = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        for (JsonNode line : lines) {
            String lineId = idText(line, "id");
            JsonNode item = line.path("line_item");
            String sku = sku(item.get("sku"));
            String restockType = line.path("restock_type").asText("no_restock");
            int quantity = line.path("quantity").asInt(0);
            if (!RESTOCKING.contains(restockType)) {
                skipped.add(new SkippedLine(lineId, sku, "restock_type " + restockType + " puts nothing back in stock"));
            } else if (item.path("gift_card").asBoolean(false)) {
                skipped.add(new SkippedLine(lineId, sku, "gift card: no stock to move"));
            } else if (sku == null) {
                skipped.add(new SkippedLine(lineId, null, "refunded line has no SKU"));
            } else if (quantity <= 0) {
                skipped.add(new SkippedLine(lineId, sku, "quantity is " + quantity));
            } else {
                drafts.add(new MovementDraft(sku, MovementKind.RESTOCK, quantity,
                        "shopify:refund:" + refundId + ":line:" + lineId + ":RESTOCK", orderId, null));
            }
        }
        return ParsedDelivery.of(orderId, drafts, skipped, "refund " + refundId);
    }

    /** Shopify ids exceed 2^53: take the digits as written, never through a double. */
    static String idText(JsonNode node, String field) {
        JsonNode id = node.get(field);
        if (id == null || id.isNull() || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank()) {
            throw new PayloadException(field + ": is required and must be an id");
        }
        return id.asText();
    }

    static String sku(JsonNode sku) {
        if (sku == null || sku.isNull()) {
            return null;
        }
        String s = sku.asText().trim();
        return s.isEmpty() ? null : s;
    }
}
