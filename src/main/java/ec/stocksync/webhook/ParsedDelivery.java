package ec.stocksync.webhook;

import ec.stocksync.movement.MovementDraft;

import java.util.List;

/** What one delivery asks to book, before anything is written. */
public record ParsedDelivery(String resourceId, WebhookOutcome outcome, List<MovementDraft> drafts,
                             List<SkippedLine> skipped, String note) {

    public static ParsedDelivery ignored(String resourceId, WebhookOutcome outcome, String note) {
        return new ParsedDelivery(resourceId, outcome, List.of(), List.of(), note);
    }

    public static ParsedDelivery of(String resourceId, List<MovementDraft> drafts, List<SkippedLine> skipped,
                                    String note) {
        return new ParsedDelivery(resourceId, drafts.isEmpty() ? WebhookOutcome.NOTHING_TO_BOOK : WebhookOutcome.BOOKED,
                drafts, skipped, note);
    }
}
