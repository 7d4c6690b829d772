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

    /**
     * A SKU we booked as sold; a later restock gives back exactly these units less those refunds already gave back,
     * whatever the order says then. {@code lineIds}: the order lines the units were booked from (null in states saved
     * before edits were followed); {@code refunded}: units restocked by refunds (absent, so 0, in older states).
     */
    @RegisterForReflection
    public record BookedLine(String sku, int quantity, List<String> lineIds, int refunded) {
        public BookedLine(String sku, int quantity, List<String> lineIds) {
            this(sku, quantity, lineIds, 0);
        }
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
                int refunded = prev.bookedLines().stream().filter(l -> l.sku().equals(sku)).mapToInt(BookedLine::refunded).sum();
                booked.add(new BookedLine(sku, to, now.lineIdsBySku().get(sku), Math.min(refunded, to)));
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
        // Units a refund already gave back are not given back again.
        List<MovementDraft> drafts = prev.bookedLines().stream()
                .filter(l -> l.quantity() - l.refunded() > 0)
                .map(l -> new MovementDraft(l.sku(), MovementKind.RESTOCK, l.quantity() - l.refunded(),
                        "woocommerce:order:" + orderId + ":sku:" + l.sku() + ":RESTOCK:" + prev.cycle(), orderId,
                        "#" + orderName))
                .toList();
        return new Decision(ParsedDelivery.of(orderId, drafts, List.of(), "status " + status + ": restock of the sale"),
                new OrderState(false, prev.cycle() + 1, List.of(), status, modified));
    }

    /** What a refund books, and the order's state after it. */
    public record RefundDecision(List<MovementDraft> drafts, List<SkippedLine> skipped, String note, OrderState next) {
    }

    /**
     * A refund of {@code lines} on an order whose state is {@code prev}: a RESTOCK per line, keyed by refund and line,
     * of at most the units of its SKU the order still has booked as sold and not yet given back (an order already
     * restocked by a cancellation or a full refund, or never sold, gives nothing back). The units are counted as
     * refunded on the order, so a later cancellation, full refund or edit does not give them back again.
     */
    public static RefundDecision refund(String orderId, String refundId, List<WooCommerceRefunds.RefundLine> lines,
                                        OrderState prev) {
        List<MovementDraft> drafts = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        java.util.Map<String, BookedLine> bySku = new java.util.LinkedHashMap<>();
        prev.bookedLines().forEach(b -> bySku.merge(b.sku(), b, (a, b2) -> new BookedLine(a.sku(), a.quantity() + b2.quantity(),
                a.lineIds(), a.refunded() + b2.refunded())));
        for (WooCommerceRefunds.RefundLine line : lines) {
            BookedLine b = prev.stockReduced() ? bySku.get(line.sku()) : null;
            int left = b == null ? 0 : b.quantity() - b.refunded();
            int units = Math.min(left, line.units());
            if (units <= 0) {
                skipped.add(new SkippedLine(line.lineId(), line.sku(), prev.stockReduced()
                        ? "no units of " + line.sku() + " left booked as sold on this order to give back"
                        : "the order holds no sale now (never sold, or already restocked)"));
                continue;
            }
            if (units < line.units()) {
                skipped.add(new SkippedLine(line.lineId(), line.sku(), (line.units() - units)
                        + " refunded unit(s) were never booked as sold or were already given back"));
            }
            drafts.add(new MovementDraft(line.sku(), MovementKind.RESTOCK, units, "woocommerce:refund:" + refundId
                    + ":line:" + line.lineId() + ":RESTOCK", orderId, null));
            bySku.put(line.sku(), new BookedLine(b.sku(), b.quantity(), b.lineIds(), b.refunded() + units));
        }
        OrderState next = new OrderState(prev.stockReduced(), prev.cycle(), List.copyOf(bySku.values()), prev.lastStatus(),
                prev.sourceModifiedAt());
        return new RefundDecision(drafts, skipped, "refund " + refundId + ": " + drafts.size() + " line(s) restocked", next);
    }
}
