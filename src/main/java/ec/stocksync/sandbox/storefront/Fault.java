package ec.stocksync.sandbox.storefront;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fault a simulator injects: {@code Fault.error500().times(2).on("inventorySetQuantities")}. One-shot unless
 * {@link #times(int)} or {@link #always()} says otherwise; applies to every endpoint unless {@link #on(String)} names one.
 */
public final class Fault {

    public enum Type {
        /** Answers normally after a delay. */
        LATENCY,
        /** HTTP 500 with the platform's error body. */
        ERROR_500,
        /** Never answers: the client must time out. */
        HANG,
        /** Closes the connection without answering. */
        DROP_CONNECTION,
        /** HTTP 429 with Retry-After. */
        RATE_LIMITED,
        /** Shopify: HTTP 200 with a top-level THROTTLED error and the cost bucket (WooCommerce answers 429 instead). */
        THROTTLED
    }

    private final Type type;
    private final String endpoint;
    private final Duration duration;
    private final AtomicInteger remaining;

    private Fault(Type type, String endpoint, Duration duration, int times) {
        this.type = type;
        this.endpoint = endpoint;
        this.duration = duration;
        this.remaining = new AtomicInteger(times);
    }

    public static Fault latency(Duration delay) {
        return new Fault(Type.LATENCY, null, delay, 1);
    }

    public static Fault error500() {
        return new Fault(Type.ERROR_500, null, Duration.ZERO, 1);
    }

    public static Fault hang() {
        return new Fault(Type.HANG, null, Duration.ZERO, 1);
    }

    public static Fault dropConnection() {
        return new Fault(Type.DROP_CONNECTION, null, Duration.ZERO, 1);
    }

    /** 429 asking the client to wait {@code retryAfter} (sent as decimal seconds in Retry-After). */
    public static Fault rateLimited(Duration retryAfter) {
        return new Fault(Type.RATE_LIMITED, null, retryAfter, 1);
    }

    /** Shopify THROTTLED; the cost bucket in the answer refills after {@code refill}. */
    public static Fault throttled(Duration refill) {
        return new Fault(Type.THROTTLED, null, refill, 1);
    }

    /** Only requests to this endpoint (see each simulator's endpoint names); {@code null} for all. */
    public Fault on(String endpointName) {
        return new Fault(type, endpointName, duration, remaining.get());
    }

    public Fault times(int n) {
        return new Fault(type, endpoint, duration, n);
    }

    public Fault always() {
        return new Fault(type, endpoint, duration, -1);
    }

    public Type type() {
        return type;
    }

    public String endpoint() {
        return endpoint;
    }

    public Duration duration() {
        return duration;
    }

    /** Remaining applications; -1 means permanent. */
    public int remaining() {
        return remaining.get();
    }

    /** Takes one application if this fault matches the endpoint and is not used up. */
    boolean tryConsume(String requestEndpoint) {
        if (endpoint != null && !endpoint.equals(requestEndpoint)) {
            return false;
        }
        while (true) {
            int left = remaining.get();
            if (left == 0) {
                return false;
            }
            if (left < 0 || remaining.compareAndSet(left, left - 1)) {
                return true;
            }
        }
    }

    /** {@code {"type":"ERROR_500","endpoint":null,"times":2,"durationMs":0}}; times -1 = permanent. */
    public static Fault fromJson(JsonObject json) {
        Type type = Type.valueOf(json.getString("type"));
        Duration duration = Duration.ofMillis(json.getLong("durationMs", 0L));
        return new Fault(type, json.getString("endpoint"), duration, json.getInteger("times", 1));
    }

    public JsonObject toJson() {
        return new JsonObject().put("type", type.name()).put("endpoint", endpoint)
                .put("times", remaining.get()).put("durationMs", duration.toMillis());
    }

    @Override
    public String toString() {
        return toJson().encode();
    }
}
