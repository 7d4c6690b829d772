package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.movement.MovementDraft;
import ec.stocksync.movement.MovementKind;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * WooCommerce sends an order's current state, not the event, and has no paid/cancelled topics: stock moves when the
 * status crosses WooCommerce's own lines (reduced on processing/on-hold/completed, restored on cancelled or back to
 * pending). This compares the delivery with what was last booked for the order and says what to book now.
 */
public final class WooCommerceOrders {

    static final Set<String> REDUCING = Set.of("processing", "on-hold", "completed");
    static final Set<String> RESTORING = Set.of("cancelled", "pending");
    static final String REFUNDED = "refunded";
    static final String CHECKOUT_DRAFT = "checkout-draft";

    private WooCommerceOrders() {
    }

    /** A line we booked as sold; a later restock gives back exactly these units, whatever the order says then. */
    @RegisterForReflection
    public record BookedLine(String sku, int quantity, List<String> lineIds) {
        // lineIds: the order lines the units were booked from; null in states saved before edits were followed.
    }

    /** What we last applied for one order (table {@code storefront_orders}). */
    public record OrderState(boolean stockReduced, int cycle, List<BookedLine> bookedLines, String lastStatus,
                             String sourceModifiedAt) {
        public static final OrderState NEW = new OrderState(false, 0, List.of(), null, null);
    }

    public record Decision(ParsedDelivery delivery, OrderState next) {
    }

    public static Decision decide(JsonNode order, OrderState prev, boolean refundsRestock) {
        String orderId = ShopifyPayloads.idText(order, "id");
        String orderName = order.path("number").asText(orderId);
        String status = order.path("status").asText(null);
        if (status == null || status.isBlank()) {
            throw new PayloadException("status: is required");
        }
        String modified = order.path("date_modified_gmt").asText(null);
        if (modified != null && prev.sourceModifiedAt() != null && modified.compareTo(prev.sourceModifiedAt()) < 0) {
            return new Decision(ParsedDelivery.ignored(orderId, WebhookOutcome.NOTHING_TO_BOOK,
                    "stale delivery: order modified at " + modified + ", state of " + prev.sourceModifiedAt()
                            + " already applied"), prev);
        }
        String newest = modified != null ? modified : prev.sourceModifiedAt();
        if (CHECKOUT_DRAFT.equals(status)) {
            return new Decision(ParsedDelivery.ignored(orderId, WebhookOutcome.NOTHING_TO_BOOK,
                    "checkout-draft orders move no stock"), prev);
        }
        if (REDUCING.contains(status) && !prev.stockReduced()) {
            return sale(order, orderId, orderName, status, prev, newest);
        }
        if (REDUCING.contains(status)) {
            return edit(order, orderId, orderName, status, prev, newest);
        }
        boolean restores = RESTORING.contains(status) || (REFUNDED.equals(status) && refundsRestock);
        if (restores && prev.stockReduced()) {
            return restock(orderId, orderName, status, prev, newest);
        }
        String note = "status " + status + (prev.stockReduced() ? " (sale already booked)" : " (no sale booked)")
                + ": nothing moves";
        return new Decision(ParsedDelivery.ignored(orderId, WebhookOutcome.NOTHING_TO_BOOK, note),
                new OrderState(prev.stockReduced(), prev.cycle(), prev.bookedLines(), status, newest));
    }

    /** What the order's lines hold now, per SKU, and the lines that cannot be booked (said why). */
    /**
     * What the order's lines hold now: units and line ids per SKU, the lines that cannot be booked (said why), and the
     * ids of lines whose SKU or quantity cannot be read.
     */
    private record Lines(java.util.Map<String, Integer> bySku, java.util.Map<String, List<String>> lineIdsBySku,
                         java.util.Map<String, String> skuByLineId, List<SkippedLine> skipped, Set<String> unreadableLineIds) {
    }

    private static Lines lines(JsonNode order) {
        JsonNode lines = order.get("line_items");
        if (lines == null || !lines.isArray()) {
            throw new PayloadException("line_items: must be an array");
        }
        ShopifyPayloads.SkuTotals totals = new ShopifyPayloads.SkuTotals();
        List<SkippedLine> skipped = new ArrayList<>();
        Set<String> unreadable = new java.util.HashSet<>();
        java.util.Map<String, List<String>> idsBySku = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> skuById = new java.util.HashMap<>();
        for (JsonNode line : lines) {
            String lineId = ShopifyPayloads.idText(line, "id");
            String sku = ShopifyPayloads.sku(line.get("sku"));
            ShopifyPayloads.Quantity quantity = ShopifyPayloads.quantity(line.get("quantity"));
            if (sku == null) {
                // WooCommerce writes a line's SKU from the product as it is now: a deleted product's line has none.
                skipped.add(new SkippedLine(lineId, null,
                        "line has no SKU: give the product a SKU that matches Contifico's codigo"));
                unreadable.add(lineId);
            } else if (quantity.refusal() != null) {
                skipped.add(new SkippedLine(lineId, sku, quantity.refusal()));
                unreadable.add(lineId);
            } else {
                totals.add(sku, lineId, quantity.value());
                idsBySku.computeIfAbsent(sku, k -> new ArrayList<>()).add(lineId);
                skuById.put(lineId, sku);
            }
        }
        java.util.Map<String, Integer> bySku = new java.util.LinkedHashMap<>();
        int before = skipped.size();
        totals.forEach(skipped, bySku::put);
        for (int i = before; i < skipped.size(); i++) {
            unreadable.add(skipped.get(i).lineId());
            idsBySku.remove(skipped.get(i).sku());
        }
        return new Lines(bySku, idsBySku, skuById, skipped, unreadable);
    }

    private static Decision sale(JsonNode order, String orderId, String orderName, String status, OrderState prev,
                                 String modified) {
        Lines now = lines(order);
        List<MovementDraft> drafts = new ArrayList<>();
        List<BookedLine> booked = new ArrayList<>();
        now.bySku().forEach((sku, qty) -> {
            drafts.add(new MovementDraft(sku, MovementKind.SALE, qty,
                    "woocommerce:order:" + orderId + ":sku:" + sku + ":SALE:" + prev.cycle(), orderId, "#" + orderName));
            booked.add(new BookedLine(sku, qty, now.lineIdsBySku().get(sku)));
        });
        return new Decision(ParsedDelivery.of(orderId, drafts, now.skipped(), "status " + status + ": sale"),
                new OrderState(true, prev.cycle(), booked, status, modified));
    }

    /**
     * An order already sold and still in a selling status whose lines changed (WooCommerce lets a shop edit the items
     * of an order on hold or processing): exactly the difference per SKU is booked, a SALE for units added, a RESTOCK
     * for units removed. The payload is the order's current state, so a redelivery finds nothing left to book. A SKU
     * whose line cannot be read now keeps what was booked for it (an unreadable line is not a removal).
     */
    private static Decision edit(JsonNode order, String orderId, String orderName, String status, OrderState prev,
                                 String modified) {
        Lines now = lines(order);
        java.util.Map<String, Integer> was = new java.util.LinkedHashMap<>();
        prev.bookedLines().forEach(l -> was.merge(l.sku(), l.quantity(), Integer::sum));
        String unmatched = unmatchedLine(prev.bookedLines(), now);
        if (unmatched != null) {
            // Booking a difference here could restock units that were sold (a product deleted or its SKU changed after
            // the sale): book nothing, keep what was booked, and say why.
            return new Decision(ParsedDelivery.ignored(orderId, WebhookOutcome.NOTHING_TO_BOOK, "status " + status
                    + " (sale already booked): " + unmatched + "; nothing booked for this change, check the order by hand"),
                    new OrderState(true, prev.cycle(), prev.bookedLines(), status, modified));
        }
        java.util.Map<String, Integer> target = new java.util.LinkedHashMap<>(now.bySku());
        java.util.Set<String> skus = new java.util.LinkedHashSet<>(was.keySet());
        skus.addAll(target.keySet());
        List<MovementDraft> drafts = new ArrayList<>();
        List<BookedLine> booked = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        for (String sku : skus) {
            int from = was.getOrDefault(sku, 0);
            int to = target.getOrDefault(sku, 0);
            if (to > 0) {
                booked.add(new BookedLine(sku, to, now.lineIdsBySku().get(sku)));
            }
            if (from == to) {
                continue;
            }
            // The key names the change (from -> to, at this state of the order): a redelivery of the same state books
            // nothing twice, and a later edit back and forth is a new state with its own modification time.
            MovementKind kind = to > from ? MovementKind.SALE : MovementKind.RESTOCK;
            drafts.add(new MovementDraft(sku, kind, Math.abs(to - from), "woocommerce:order:" + orderId + ":sku:" + sku
                    + ":EDIT:" + prev.cycle() + ":" + modified + ":" + from + ">" + to, orderId, "#" + orderName));
            changes.add(sku + " " + from + " -> " + to);
        }
        if (drafts.isEmpty()) {
            return new Decision(ParsedDelivery.ignored(orderId, WebhookOutcome.NOTHING_TO_BOOK,
                    "status " + status + " (sale already booked): nothing moves"),
                    new OrderState(true, prev.cycle(), prev.bookedLines(), status, modified));
        }
        return new Decision(ParsedDelivery.of(orderId, drafts, now.skipped(), "status " + status + ": lines edited ("
                + String.join(", ", changes) + ")"), new OrderState(true, prev.cycle(), booked, status, modified));
    }

    /**
     * Why the current lines cannot be matched to what was booked, or null when they can: a booked line is now
     * unreadable or carries another SKU. States saved before line ids were kept cannot tell a deleted product from a
     * removed line, so any unreadable line, or a SKU gone while another appeared, is unmatched there.
     */
    static String unmatchedLine(List<BookedLine> booked, Lines now) {
        boolean legacy = booked.stream().anyMatch(b -> b.lineIds() == null);
        for (BookedLine b : booked) {
            for (String id : b.lineIds() == null ? List.<String>of() : b.lineIds()) {
                if (now.unreadableLineIds().contains(id)) {
                    return "line " + id + " (sold as " + b.sku() + ") can no longer be read";
                }
                String sku = now.skuByLineId().get(id);
                if (sku != null && !sku.equals(b.sku())) {
                    return "line " + id + " was sold as " + b.sku() + " and now says " + sku;
                }
            }
        }
        if (legacy) {
            if (!now.unreadableLineIds().isEmpty()) {
                return "a line can no longer be read";
            }
            boolean gone = booked.stream().anyMatch(b -> !now.bySku().containsKey(b.sku()));
            boolean added = now.bySku().keySet().stream().anyMatch(sku -> booked.stream().noneMatch(b -> b.sku().equals(sku)));
            if (gone && added) {
                return "a SKU sold is gone and another appeared (a removal, or a SKU renamed)";
            }
        }
        return null;
    }

    private static Decision restock(String orderId, String orderName, String status, OrderState prev, String modified) {
        List<MovementDraft> drafts = prev.bookedLines().stream()
                .map(l -> new MovementDraft(l.sku(), MovementKind.RESTOCK, l.quantity(),
                        "woocommerce:order:" + orderId + ":sku:" + l.sku() + ":RESTOCK:" + prev.cycle(), orderId,
                        "#" + orderName))
                .toList();
        return new Decision(ParsedDelivery.of(orderId, drafts, List.of(), "status " + status + ": restock of the sale"),
                new OrderState(false, prev.cycle() + 1, List.of(), status, modified));
    }
}
