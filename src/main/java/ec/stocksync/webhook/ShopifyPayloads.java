package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ec.stocksync.movement.MovementDraft;
import ec.stocksync.movement.MovementKind;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
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
    public static final String ORDERS_EDITED = "orders/edited";

    /** Refund lines that put units back on the shelf; {@code no_restock} books nothing. */
    static final Set<String> RESTOCKING = Set.of("cancel", "return", "legacy_restock");

    private ShopifyPayloads() {
    }

    public static ParsedDelivery parse(String topic, JsonNode payload, boolean processTestOrders) {
        return switch (topic) {
            case ORDERS_CREATE -> orderCreated(payload, processTestOrders);
            // Books later, once its lines are resolved (ShopifyOrderEdits); parsed by WebhookResource itself.
            case ORDERS_EDITED -> throw new IllegalStateException("orders/edited is deferred, not parsed here");
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
        SkuTotals totals = new SkuTotals();
        List<SkippedLine> skipped = new ArrayList<>();
        for (JsonNode line : lines) {
            String lineId = idText(line, "id");
            String sku = sku(line.get("sku"));
            Quantity quantity = quantity(line.get("quantity"));
            if (line.path("gift_card").asBoolean(false)) {
                skipped.add(new SkippedLine(lineId, sku, "gift card: no stock to move"));
            } else if (!"shopify".equals(line.path("variant_inventory_management").asText(null))) {
                skipped.add(new SkippedLine(lineId, sku, "Shopify does not track stock for this line"
                        + " (variant_inventory_management is " + line.path("variant_inventory_management").asText("null") + ")"));
            } else if (sku == null) {
                skipped.add(new SkippedLine(lineId, null, "line has no SKU: give the variant a SKU that matches Contifico's codigo"));
            } else if (quantity.refusal() != null) {
                skipped.add(new SkippedLine(lineId, sku, quantity.refusal()));
            } else {
                totals.add(sku, lineId, quantity.value());
            }
        }
        List<MovementDraft> drafts = new ArrayList<>();
        // The order's location_id names where it was taken (POS, or a merchant-chosen location); null for most online
        // orders, which then book in the store's default warehouse.
        String location = locationId(order);
        totals.forEach(skipped, (sku, qty) -> drafts.add(new MovementDraft(sku, MovementKind.SALE, qty,
                saleKey(orderId, sku), orderId, orderName, location)));
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
            Quantity quantity = quantity(line.get("quantity"));
            if (!RESTOCKING.contains(restockType)) {
                skipped.add(new SkippedLine(lineId, sku, "restock_type " + restockType + " puts nothing back in stock"));
            } else if (item.path("gift_card").asBoolean(false)) {
                skipped.add(new SkippedLine(lineId, sku, "gift card: no stock to move"));
            } else if (sku == null) {
                skipped.add(new SkippedLine(lineId, null, "refunded line has no SKU"));
            } else if (quantity.refusal() != null) {
                skipped.add(new SkippedLine(lineId, sku, quantity.refusal()));
            } else {
                // Each refund line names the location the units went back to.
                drafts.add(new MovementDraft(sku, MovementKind.RESTOCK, quantity.value(),
                        "shopify:refund:" + refundId + ":line:" + lineId + ":RESTOCK", orderId, null, locationId(line)));
            }
        }
        return ParsedDelivery.of(orderId, drafts, skipped, "refund " + refundId);
    }

    /** A {@code location_id} as text (digits as written), or null when absent, null or not an id: never an error. */
    static String locationId(JsonNode node) {
        JsonNode id = node.get("location_id");
        if (id == null || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank() || id.asText().length() > 100) {
            return null;
        }
        return id.asText().trim();
    }

    /**
     * An {@code orders/edited} delivery as far as stock goes: the units each named line gained. Removals are not kept:
     * Shopify records a removal (a quantity lowered or a line taken out) as a refund of those units, with
     * {@code restock_type} {@code cancel} when the merchant restocked and {@code no_restock} otherwise, and sends it as
     * {@code refunds/create} (the edit itself says nothing about restocking). Booking them here too would count the
     * restocked units twice, so restocks keep their one source, the refund lines.
     *
     * @param skipped additions whose delta is not a whole number of units (recorded, never booked)
     */
    public record OrderEdit(String editId, String orderId, OffsetDateTime editedAt, List<Addition> additions,
                            List<SkippedLine> skipped, int removals) {
    }

    /** A line of an order edit that gained {@code delta} units: an existing line raised, or a new line. */
    public record Addition(String lineId, int delta) {
    }

    /** Reads an {@code orders/edited} payload ({@code {"order_edit": {...}}}); fails with {@link PayloadException}. */
    public static OrderEdit orderEdit(JsonNode payload) {
        JsonNode edit = payload.get("order_edit");
        if (edit == null || !edit.isObject()) {
            throw new PayloadException("order_edit: must be an object");
        }
        String editId = idText(edit, "id");
        String orderId = idText(edit, "order_id");
        // committed_at (API 2024-07 on) is when the edit reached the order; created_at is when the merchant began it.
        String field = edit.hasNonNull("committed_at") ? "committed_at" : "created_at";
        OffsetDateTime editedAt;
        try {
            editedAt = OffsetDateTime.parse(edit.path(field).asText(""));
        } catch (DateTimeParseException e) {
            throw new PayloadException("order_edit." + field + ": must be a date and time with its offset");
        }
        JsonNode lines = edit.path("line_items");
        List<Addition> additions = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        JsonNode added = lines.path("additions");
        if (!added.isMissingNode() && !added.isArray()) {
            throw new PayloadException("order_edit.line_items.additions: must be an array");
        }
        for (JsonNode a : added) {
            String lineId = idText(a, "id");
            Quantity delta = quantity(a.get("delta"));
            if (delta.refusal() != null) {
                skipped.add(new SkippedLine(lineId, null, "delta: " + delta.refusal()));
            } else {
                additions.add(new Addition(lineId, delta.value()));
            }
        }
        JsonNode removed = lines.path("removals");
        return new OrderEdit(editId, orderId, editedAt, additions, skipped, removed.isArray() ? removed.size() : 0);
    }

    /**
     * The movements of an edit's additions, resolved against the order as Shopify lists it now (a line's SKU and
     * whether Shopify tracks it never change with edits). One SALE per added line, keyed by edit and line, so a
     * redelivery, another subscription or a second resolver books nothing twice.
     */
    public static ParsedDelivery editAdditions(String editId, List<Addition> additions, JsonNode order,
                                               boolean processTestOrders) {
        String orderId = idText(order, "id");
        if (order.path("test").asBoolean(false) && !processTestOrders) {
            return ParsedDelivery.ignored(orderId, WebhookOutcome.IGNORED_TEST_ORDER,
                    "edit of a test order: recorded, not booked (the store has processTestOrders off)");
        }
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        order.path("line_items").forEach(l -> byId.put(l.path("id").asText(), l));
        List<MovementDraft> drafts = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        for (Addition a : additions) {
            JsonNode line = byId.get(a.lineId());
            String sku = line == null ? null : sku(line.get("sku"));
            if (line == null) {
                skipped.add(new SkippedLine(a.lineId(), null, "Shopify does not list this line in the order"));
            } else if (line.path("gift_card").asBoolean(false)) {
                skipped.add(new SkippedLine(a.lineId(), sku, "gift card: no stock to move"));
            } else if (!"shopify".equals(line.path("variant_inventory_management").asText(null))) {
                skipped.add(new SkippedLine(a.lineId(), sku, "Shopify does not track stock for this line"
                        + " (variant_inventory_management is " + line.path("variant_inventory_management").asText("null") + ")"));
            } else if (sku == null) {
                skipped.add(new SkippedLine(a.lineId(), null, "line has no SKU: give the variant a SKU that matches Contifico's codigo"));
            } else {
                drafts.add(new MovementDraft(sku, MovementKind.SALE, a.delta(), editKey(editId, a.lineId()), orderId,
                        order.path("name").asText(null), locationId(order)));
            }
        }
        return ParsedDelivery.of(orderId, drafts, skipped, "order edit " + editId);
    }

    static String editKey(String editId, String lineId) {
        return "shopify:order_edit:" + editId + ":line:" + lineId + ":SALE";
    }

    /**
     * The business key of units a reconciliation found on a line beyond what the order's sale and its known edits
     * booked (edits whose webhook was lost), the line then holding {@code quantity} units.
     */
    /**
     * Keyed by the units found on the line so far, this booking's included ({@code total:<n>}), not by the line's
     * quantity: reading the same order again finds nothing more and books nothing, while units found later on a line
     * back at an earlier quantity (an edit that had taken units out of the count meanwhile resolved) get a key of their
     * own. The {@code total:} word keeps these keys apart from the earlier {@code ADDED:<quantity>} ones.
     */
    static String addedKey(String orderId, String lineId, long foundSoFar) {
        return addedPrefix(orderId, lineId) + "total:" + foundSoFar;
    }

    static String addedPrefix(String orderId, String lineId) {
        return "shopify:order:" + orderId + ":line:" + lineId + ":ADDED:";
    }

    /** The business key of an order's sale of one SKU ({@code orders/create}, or a reconciliation standing for it). */
    static String saleKey(String orderId, String sku) {
        return "shopify:order:" + orderId + ":sku:" + sku + ":SALE";
    }

    /** Shopify ids exceed 2^53: take the digits as written, never through a double. */
    static String idText(JsonNode node, String field) {
        JsonNode id = node.get(field);
        if (id == null || id.isNull() || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank()) {
            throw new PayloadException(field + ": is required and must be an id");
        }
        return id.asText();
    }

    /** A line's quantity: a whole number of units from 1 to Integer.MAX_VALUE, or why it is not one. */
    record Quantity(int value, String refusal) {
    }

    /**
     * Reads a quantity without ever rounding, truncating or wrapping it (JsonNode#asInt does all three): anything but a
     * JSON number with a whole value in range is a line to skip, with the reason, never a guess and never an error.
     */
    static Quantity quantity(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new Quantity(0, "quantity is missing");
        }
        if (!node.isNumber()) {
            return new Quantity(0, "quantity " + abbreviated(node.toString()) + " is not a number");
        }
        BigDecimal value;
        try {
            value = node.decimalValue();
        } catch (NumberFormatException e) {
            return new Quantity(0, "quantity " + abbreviated(node.asText()) + " is out of range");
        }
        if (value.signum() <= 0) {
            return new Quantity(0, "quantity is " + abbreviated(node.asText()));
        }
        if (value.stripTrailingZeros().scale() > 0) {
            return new Quantity(0, "quantity " + abbreviated(node.asText()) + " is not a whole number of units");
        }
        if (value.compareTo(MAX_QUANTITY) > 0) {
            return new Quantity(0, "quantity " + abbreviated(node.asText()) + " is out of range (at most "
                    + Integer.MAX_VALUE + " units)");
        }
        return new Quantity(value.intValueExact(), null);
    }

    private static final BigDecimal MAX_QUANTITY = BigDecimal.valueOf(Integer.MAX_VALUE);

    private static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /**
     * Units per SKU over one order, summed in a long: a SKU whose lines add up to more than an int can hold is skipped
     * line by line, with the total in the reason, instead of overflowing into a wrong (even negative) quantity.
     */
    static final class SkuTotals {
        private final Map<String, Long> units = new LinkedHashMap<>();
        private final Map<String, List<String>> lineIds = new LinkedHashMap<>();

        void add(String sku, String lineId, int quantity) {
            units.merge(sku, (long) quantity, Long::sum);
            lineIds.computeIfAbsent(sku, k -> new ArrayList<>()).add(lineId);
        }

        void forEach(List<SkippedLine> skipped, java.util.function.BiConsumer<String, Integer> book) {
            units.forEach((sku, total) -> {
                if (total > Integer.MAX_VALUE) {
                    for (String lineId : lineIds.get(sku)) {
                        skipped.add(new SkippedLine(lineId, sku, "the lines of SKU " + sku + " total " + total
                                + " units in this order, more than the " + Integer.MAX_VALUE + " a movement can hold"));
                    }
                } else {
                    book.accept(sku, total.intValue());
                }
            });
        }
    }

    static String sku(JsonNode sku) {
        if (sku == null || sku.isNull()) {
            return null;
        }
        String s = sku.asText().trim();
        return s.isEmpty() ? null : s;
    }
}
