package ec.stocksync.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.MDC;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Log fields (MDC) and a trace span for one piece of background work: a movement group's push, a pull run.
 *
 * <p>Quarkus keeps the MDC (and the current OpenTelemetry context) in the local data of the Vert.x <em>duplicated</em>
 * context, and Mutiny continuations, the reactive PostgreSQL client, Vert.x HTTP clients, timers and Mutiny delays all
 * resume on the context they were called from. A worker's timer or a NOTIFY handler runs on the event loop's root
 * context, where {@code MDC.put} lands in a throwaway duplicate and is lost at once; and two pushes sharing one context
 * would overwrite each other's fields. So each unit of work gets a fresh duplicated context of its own, its fields are
 * put there before the pipeline is subscribed, and every log record of the pipeline carries them, whichever thread
 * writes it. The outcome is handed back on the caller's context.
 */
@ApplicationScoped
public class WorkScope {

    public static final String STORE_ID = "storeId";
    public static final String SKU = "sku";
    public static final String MOVEMENT_ID = "movementId";
    public static final String PULL_RUN_ID = "pullRunId";

    @Inject
    Vertx vertx;
    @Inject
    Tracer tracer;

    /**
     * Runs {@code work} on a new duplicated context carrying {@code fields} as MDC entries, inside a span named
     * {@code spanName} (a child of the caller's current span, if any) whose attributes are the same fields under
     * {@code stocksync.}. Cancelling the returned Uni cancels the work.
     */
    public <T> Uni<T> isolated(String spanName, Map<String, String> fields, Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Context origin = Vertx.currentContext();
            Context root = origin != null ? origin : vertx.getOrCreateContext();
            Context own = VertxContext.createNewDuplicatedContext(root);
            // Marked safe as Quarkus marks the duplicated contexts it creates for requests: code that needs an
            // isolated context (Hibernate Reactive sessions) may run inside.
            VertxContextSafetyToggle.setContextSafe(own, true);
            io.opentelemetry.context.Context parent = io.opentelemetry.context.Context.current();
            AtomicReference<Cancellable> running = new AtomicReference<>();
            // Set when the caller is done with us: a cancel that comes before the work started must keep it from
            // starting (a pull would otherwise take its lock and write its row for nobody).
            AtomicBoolean over = new AtomicBoolean();
            emitter.onTermination(() -> {
                over.set(true);
                Cancellable c = running.get();
                if (c != null) {
                    c.cancel();
                }
            });
            own.runOnContext(ignored -> {
                if (over.get()) {
                    return;
                }
                fields.forEach((k, v) -> {
                    if (v != null) {
                        MDC.put(k, v);
                    }
                });
                Span span = start(tracer.spanBuilder(spanName).setParent(parent), fields);
                Scope scope = span.makeCurrent();
                // The span ends however the work ends, a cancel included.
                running.set(Uni.createFrom().<T>deferred(work::get)
                        .onTermination().invoke((item, failure, cancelled) -> end(span, scope, failure))
                        .subscribe().with(
                                item -> onContext(origin, () -> emitter.complete(item)),
                                failure -> onContext(origin, () -> emitter.fail(failure))));
                if (over.get()) {
                    running.get().cancel();
                }
            });
        });
    }

    /**
     * A child span of the current one around {@code work}, on the caller's context (no new MDC): for a step such as the
     * post-push pull inside a push.
     */
    public <T> Uni<T> span(String spanName, Map<String, String> attributes, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Span span = start(tracer.spanBuilder(spanName), attributes);
            Scope scope = span.makeCurrent();
            Uni<T> uni;
            try {
                uni = work.get();
            } catch (RuntimeException e) {
                end(span, scope, e);
                return Uni.createFrom().failure(e);
            }
            return uni.onTermination().invoke((item, failure, cancelled) -> end(span, scope, failure));
        });
    }

    /** Adds a field to the current work's MDC and span once it is known (a pull run's id, after its row is written). */
    public static void annotate(String key, String value) {
        MDC.put(key, value);
        Span.current().setAttribute(AttributeKey.stringKey("stocksync." + key), value);
    }

    /** An attribute of the current span only (not a log field): what kind of run, which trigger. */
    public static void spanAttribute(String key, String value) {
        Span.current().setAttribute(AttributeKey.stringKey("stocksync." + key), value);
    }

    /** Runs {@code r} on {@code origin} (now, if that is where we are): answers go back to whoever asked. */
    public static void onContext(Context origin, Runnable r) {
        if (origin == null || origin == Vertx.currentContext()) {
            r.run();
        } else {
            origin.runOnContext(ignored -> r.run());
        }
    }

    private static Span start(SpanBuilder builder, Map<String, String> attributes) {
        attributes.forEach((k, v) -> {
            if (v != null) {
                builder.setAttribute(AttributeKey.stringKey("stocksync." + k), v);
            }
        });
        return builder.startSpan();
    }

    private static void end(Span span, Scope scope, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
        span.end();
        scope.close();
    }
}
