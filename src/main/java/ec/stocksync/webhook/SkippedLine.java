package ec.stocksync.webhook;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A line of an order or refund that books nothing, and why; kept on the webhook record. */
@RegisterForReflection
public record SkippedLine(String lineId, String sku, String reason) {
}
