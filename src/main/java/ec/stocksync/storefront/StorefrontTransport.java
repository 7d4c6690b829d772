package ec.stocksync.storefront;

import ec.stocksync.common.Backoff;
import ec.stocksync.store.Platform;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What every storefront call goes through, whichever REST Client interface makes it: a hard timeout per call kind,
 * failures typed by {@link StorefrontFailures}, retries with the service's {@link Backoff}, and a count per attempt.
 */
final class StorefrontTransport {

    private static final Logger LOG = Logger.getLogger(StorefrontTransport.class);

    /** Writes may carry a batch of quantities, so they get a limit of their own. */
    enum CallKind {
        READ, WRITE
    }

    private final StorefrontConfig config;
    private final MeterRegistry registry;
    private final Backoff backoff;

    StorefrontTransport(StorefrontConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.backoff = new Backoff(config.retry().initialBackoff(), config.retry().maxBackoff());
    }

    StorefrontConfig config() {
        return config;
    }

    Duration timeout(CallKind kind) {
        return kind == CallKind.WRITE ? config.writeTimeout() : config.requestTimeout();
    }

    /**
     * One exchange, no retry. Transport failures become typed {@link StorefrontException}s; HTTP statuses are left to
     * the caller. {@code what} names the call in messages and must never hold credentials or query strings.
     */
    Uni<StorefrontResponse> send(String what, CallKind kind, Supplier<Uni<Response>> call) {
        Duration timeout = timeout(kind);
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            Uni<StorefrontResponse> exchange = call.get()
                    .map(StorefrontResponse::of)
                    .ifNoItem().after(timeout)
                    .failWith(() -> StorefrontException.timeout(what + " got no answer within " + timeout))
                    .onFailure(t -> !(t instanceof StorefrontException))
                    .transform(t -> StorefrontFailures.transport(what, t));
            // The REST client may complete on a context of its own; callers chain Hibernate Reactive sessions and MDC
            // fields after us, which live on theirs (CallerContextTest).
            return caller == null ? exchange : exchange.emitOn(task -> {
                if (Vertx.currentContext() == caller) {
                    task.run();
                } else {
                    caller.runOnContext(ignored -> task.run());
                }
            });
        });
    }

    /**
     * Runs {@code attempt} again after transient failures, never sooner than a Retry-After the storefront asked for.
     * Callers only wrap operations that are safe to repeat: reads, absolute stock writes, and Shopify mutations that
     * carry the same idempotency key on every attempt.
     * Quarkus resumes Mutiny delays and timeouts on the caller's Vert.x context, so the outcome reaches the caller on
     * its own event loop (CallerContextTest guards this: a Hibernate Reactive session chained after us depends on it).
     */
    <T> Uni<T> withRetries(Platform platform, String what, Supplier<Uni<T>> attempt) {
        String tag = platform.code();
        // Each attempt is counted (stocksync.storefront.calls{platform,outcome}): retries are what an error rate shows.
        return attempt(what, () -> Uni.createFrom().<T>deferred(attempt::get)
                .invoke(ok -> calls(tag, "ok"))
                .onFailure().invoke(e -> calls(tag, outcome(e))), 0);
    }

    private void calls(String platform, String outcome) {
        registry.counter("stocksync.storefront.calls", "platform", platform, "outcome", outcome).increment();
    }

    /** The failure's kind (timeout, unavailable, rate_limited, auth, rejected, not_found, conflict), or "error". */
    static String outcome(Throwable e) {
        return e instanceof StorefrontException se ? se.kind().name().toLowerCase(Locale.ROOT) : "error";
    }

    private <T> Uni<T> attempt(String what, Supplier<Uni<T>> attempt, int retriesDone) {
        return Uni.createFrom().<T>deferred(attempt::get).onFailure().recoverWithUni(failure -> {
            if (!(failure instanceof StorefrontException se) || !se.retryable()
                    || retriesDone >= config.retry().maxRetries()) {
                return Uni.createFrom().failure(failure);
            }
            Duration wait = backoff.jittered(retriesDone);
            if (se.retryAfter() != null) {
                if (se.retryAfter().compareTo(config.retry().maxRetryAfter()) > 0) {
                    // Waiting this long inside one call would hold the caller's lock; let it reschedule instead.
                    return Uni.createFrom().failure(failure);
                }
                wait = se.retryAfter().compareTo(wait) > 0 ? se.retryAfter() : wait;
            }
            // At least 1 ms, so every retry, even with a zero base, goes through the same delayed resubscription.
            Duration delay = wait.isZero() ? Duration.ofMillis(1) : wait;
            LOG.debugf("%s failed (%s: %s), retry %d in %d ms", what, se.kind(), se.getMessage(), retriesDone + 1, delay.toMillis());
            return Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                    .chain(() -> attempt(what, attempt, retriesDone + 1));
        });
    }
}
