package ec.stocksync.webhook;

import ec.stocksync.observability.WorkScope;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.MDC;

/**
 * {@code stocksync.webhooks{platform, outcome}}: one count per delivery, whatever answered it. Counted when the answer
 * is sent, from its status, because refusals come from three places (the body limit before the REST layer, the
 * resource's checks, the error mapper); a 200 says which kind of acceptance it was through {@link #OUTCOME}.
 * Outcomes: {@code accepted}, {@code duplicate}, {@code ping}, {@code rejected_signature} (every 401: bad or missing
 * signature, unknown or inactive store, another shop; one answer outside, one bucket here), {@code too_large},
 * {@code malformed} (400), {@code rejected} (other 4xx), {@code error} (5xx).
 */
@ApplicationScoped
public class WebhookMetrics {

    /** Routing-context key under which the resource names a 200's outcome. */
    static final String OUTCOME = "stocksync.webhook.outcome";

    @Inject
    MeterRegistry registry;

    /** First on the webhook routes, ahead of {@link WebhookBodyLimit}, so its 413s are counted too. */
    void install(@Observes Router router) {
        router.post("/webhooks/*").order(-1001).handler(this::count);
    }

    private void count(RoutingContext rc) {
        String platform = platform(rc.normalizedPath());
        // The store's id is known from the URL before anything is read: every log line of the delivery names it.
        String storeId = storeId(rc.normalizedPath());
        if (storeId != null) {
            MDC.put(WorkScope.STORE_ID, storeId);
        }
        rc.addHeadersEndHandler(v -> registry.counter("stocksync.webhooks", "platform", platform,
                "outcome", outcome(rc.response().getStatusCode(), rc.get(OUTCOME))).increment());
        rc.next();
    }

    static String outcome(int status, String accepted) {
        if (status >= 200 && status < 300) {
            return accepted != null ? accepted : "accepted";
        }
        return switch (status) {
            case 401 -> "rejected_signature";
            case 413 -> "too_large";
            case 400 -> "malformed";
            default -> status >= 500 ? "error" : "rejected";
        };
    }

    /** Only the two platforms become tag values: any other path is "other", so no URL can mint a new series. */
    static String platform(String path) {
        if (path.startsWith("/webhooks/shopify/")) {
            return "shopify";
        }
        return path.startsWith("/webhooks/woocommerce/") ? "woocommerce" : "other";
    }

    private static String storeId(String path) {
        int slash = path.lastIndexOf('/');
        String tail = slash < 0 ? "" : path.substring(slash + 1);
        return !tail.isEmpty() && tail.length() <= 18 && tail.chars().allMatch(Character::isDigit) ? tail : null;
    }
}
