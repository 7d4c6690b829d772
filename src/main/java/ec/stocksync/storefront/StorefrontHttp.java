package ec.stocksync.storefront;

import com.fasterxml.jackson.core.JsonProcessingException;
import ec.stocksync.common.Backoff;
import ec.stocksync.store.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.http.HttpClient;
import org.jboss.logging.Logger;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The HTTP plumbing both storefront clients share: one exchange with a hard timeout, failure typing, and retries. */
final class StorefrontHttp {

    private static final Logger LOG = Logger.getLogger(StorefrontHttp.class);
    /** Trees only (no data binding), so nothing here needs reflection in native mode. */
    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, MultiMap headers, String body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String header(String name) {
            return headers.get(name);
        }

        JsonObject jsonObject() {
            try {
                return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
            } catch (DecodeException | ClassCastException e) {
                throw StorefrontException.rejected(status, "invalid_json", "storefront answered with a body that is not a JSON object");
            }
        }

        JsonArray jsonArray() {
            try {
                return new JsonArray(body);
            } catch (DecodeException | ClassCastException e) {
                throw StorefrontException.rejected(status, "invalid_json", "storefront answered with a body that is not a JSON array");
            }
        }

        /** The body as a Jackson tree: orders go to the webhook parsers, which read Jackson and need exact 64-bit ids. */
        JsonNode jsonTree() {
            try {
                return JSON.readTree(body == null ? "" : body);
            } catch (JsonProcessingException e) {
                throw StorefrontException.rejected(status, "invalid_json", "storefront answered with a body that is not JSON");
            }
        }

        /** Retry-After in seconds (Shopify sends decimals such as "2.0"); {@code null} when absent or unreadable. */
        Duration retryAfter() {
            String value = header("Retry-After");
            if (value == null) {
                return null;
            }
            try {
                return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private final HttpClient client;
    private final StorefrontConfig config;
    private final MeterRegistry registry;

    StorefrontHttp(HttpClient client, StorefrontConfig config, MeterRegistry registry) {
        this.client = client;
        this.config = config;
        this.registry = registry;
    }

    StorefrontConfig config() {
        return config;
    }

    /** One exchange, no retry. Transport failures become typed {@link StorefrontException}s; HTTP statuses are left to the caller. */
    Uni<Response> send(HttpMethod method, String url, Map<String, String> headers, String body) {
        Duration timeout = config.requestTimeout();
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(url)
                // The idle timeout resets a hung connection, so the Mutiny timeout below does not leave it pinned in the pool.
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Accept", "application/json");
        headers.forEach(options::putHeader);
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return client.request(options)
                .chain(request -> body == null ? request.send() : request.send(body))
                .chain(response -> response.body()
                        .map(buffer -> new Response(response.statusCode(), response.headers(), buffer.toString())))
                .ifNoItem().after(timeout)
                .failWith(() -> StorefrontException.timeout(method + " " + path(url) + " got no answer within " + timeout))
                .onFailure(t -> !(t instanceof StorefrontException))
                .transform(t -> transportFailure(method, url, t));
    }

    private static StorefrontException transportFailure(HttpMethod method, String url, Throwable t) {
        String what = method + " " + path(url);
        // Checked first: Netty's connect timeout is a ConnectException, and a request that never left is not "outcome unknown".
        if (t instanceof ConnectException) {
            return StorefrontException.unavailable(0, "connection_refused", what + " could not connect: " + t.getMessage(), t);
        }
        if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
            return new StorefrontException(StorefrontException.Kind.TIMEOUT, 0, "timeout", what + " timed out: " + t.getMessage(), null, t);
        }
        return StorefrontException.unavailable(0, "connection_lost", what + " failed in transit: " + t, t);
    }

    /** Never log credentials or query strings: only the path identifies the call. */
    private static String path(String url) {
        int scheme = url.indexOf("://");
        int slash = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
        String p = slash < 0 ? "/" : url.substring(slash);
        int q = p.indexOf('?');
        return q < 0 ? p : p.substring(0, q);
    }

    /**
     * Runs {@code attempt} again after transient failures, with exponential backoff and jitter, never sooner than a
     * Retry-After the storefront asked for. Callers only wrap operations that are safe to repeat: reads, absolute stock
     * writes, and Shopify mutations that carry the same idempotency key on every attempt.
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
        return e instanceof StorefrontException se ? se.kind().name().toLowerCase(java.util.Locale.ROOT) : "error";
    }

    private <T> Uni<T> attempt(String what, Supplier<Uni<T>> attempt, int retriesDone) {
        return Uni.createFrom().<T>deferred(attempt::get).onFailure().recoverWithUni(failure -> {
            if (!(failure instanceof StorefrontException se) || !se.retryable()
                    || retriesDone >= config.retry().maxRetries()) {
                return Uni.createFrom().failure(failure);
            }
            Duration wait = backoff(retriesDone);
            if (se.retryAfter() != null) {
                if (se.retryAfter().compareTo(config.retry().maxRetryAfter()) > 0) {
                    // Waiting this long inside one call would hold the caller's lock; let it reschedule instead.
                    return Uni.createFrom().failure(failure);
                }
                wait = se.retryAfter().compareTo(wait) > 0 ? se.retryAfter() : wait;
            }
            LOG.debugf("%s failed (%s: %s), retry %d in %d ms", what, se.kind(), se.getMessage(), retriesDone + 1, wait.toMillis());
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .chain(() -> attempt(what, attempt, retriesDone + 1));
        });
    }

    private Duration backoff(int retriesDone) {
        Duration wait = new Backoff(config.retry().initialBackoff(), config.retry().maxBackoff()).jittered(retriesDone);
        return wait.isZero() ? Duration.ofMillis(1) : wait;
    }

    /** Status handling common to both platforms; {@code code}/{@code message} come from the platform's error body. */
    static StorefrontException statusFailure(Response response, String code, String message) {
        int status = response.status();
        if (status == 401 || status == 403) {
            return StorefrontException.auth(status, code, message);
        }
        if (status == 429) {
            return StorefrontException.rateLimited(status, code, message, response.retryAfter());
        }
        if (status >= 500) {
            return new StorefrontException(StorefrontException.Kind.UNAVAILABLE, status, code, message, response.retryAfter(), null);
        }
        if (status == 404) {
            return new StorefrontException(StorefrontException.Kind.NOT_FOUND, status, code, message);
        }
        return StorefrontException.rejected(status, code, message);
    }
}
