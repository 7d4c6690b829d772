package ec.stocksync.contifico;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The policy around each call to Contifico: a turn in the integration's lane ({@link ContificoPacer}), its circuit
 * breaker ({@link ContificoBreakers}), a deadline per exchange, the {@code stocksync.contifico.calls} count, and for
 * reads a retry of transient failures. A movement POST goes through the breaker only, never a retry (DESIGN rule 2).
 */
@ApplicationScoped
public class ContificoExchange {

    private final ContificoApis apis;
    private final ContificoBreakers breakers;
    private final ContificoPacer pacer;
    private final ContificoConfig config;
    private final MeterRegistry registry;
    private final Guard readRetry;

    public ContificoExchange(ContificoApis apis, ContificoBreakers breakers, ContificoPacer pacer,
                             ContificoConfig config, MeterRegistry registry) {
        this.apis = apis;
        this.breakers = breakers;
        this.pacer = pacer;
        this.config = config;
        this.registry = registry;
        ContificoConfig.Retry r = config.retry();
        // SmallRye FT's exponential backoff with jitter: the library's, not one of ours.
        this.readRetry = Guard.create()
                .withDescription("contifico-read-retry")
                .withRetry()
                    .maxRetries(r.maxRetries())
                    .delay(r.initialDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(r.jitter().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(r.maxDuration().toMillis(), ChronoUnit.MILLIS)
                    .whenException(e -> e instanceof ContificoException ce && ce.isRetryable())
                    .withExponentialBackoff().factor(2).maxDelay(r.maxDelay().toMillis(), ChronoUnit.MILLIS).done()
                    .done()
                .build();
    }

    /**
     * A read: retried (transient failures only) around a turn and the integration's breaker, each attempt with its
     * deadline. {@code breaker} false leaves the breaker out, for auxiliary lists whose failure (one endpoint a tenant
     * cannot serve) says nothing of whether a sale can be booked. An integration not saved yet has no breaker: its
     * check is one interactive call, and a breaker shared by every unsaved integration would let one unreachable
     * Contifico skip the checks of the next ones.
     */
    <T> Uni<T> read(ContificoConnection c, String operation, String label, boolean breaker,
                    Function<ContificoApi, Uni<Response>> call, Function<ContificoAnswer, T> parse) {
        Supplier<Uni<T>> attempt = () -> once(c, operation, label, false, call).map(parse);
        Supplier<Uni<T>> guardedAttempt = breaker && c.integrationId() != ContificoConnection.UNSAVED
                ? () -> guarded(breakers.of(c.integrationId()), attempt) : attempt;
        // Retry, then a turn, then the breaker: a turn the pacer refuses never reached Contifico, so it counts
        // neither as a failure nor as a success of the breaker.
        return Uni.createFrom().deferred(() -> guarded(readRetry, () -> pacer.call(c, guardedAttempt)))
                .onFailure().transform(e -> openBreaker(e, operation));
    }

    /** The movement POST: one attempt, through the breaker; {@code parse} sees only answers that reached us. */
    <T> Uni<T> write(ContificoConnection c, String operation, String label,
                     Function<ContificoApi, Uni<Response>> call, Function<ContificoAnswer, T> parse) {
        Supplier<Uni<T>> attempt = () -> once(c, operation, label, true, call).map(parse);
        return Uni.createFrom().deferred(() -> pacer.call(c, () -> guarded(breakers.of(c.integrationId()), attempt)))
                .onFailure().transform(e -> openBreaker(e, operation));
    }

    /** One exchange, run inside its turn: the answer whatever its status, or the typed transport failure. */
    private Uni<ContificoAnswer> once(ContificoConnection c, String operation, String label, boolean write,
                                      Function<ContificoApi, Uni<Response>> call) {
        long timeoutMs = (write ? config.writeTimeout() : config.readTimeout()).toMillis();
        return Uni.createFrom().deferred(() -> {
            // Built (or found) before the deadline starts: building a client is our time, not Contifico's.
            ContificoApis.Lease lease;
            try {
                lease = apis.lease(c, write);
            } catch (RuntimeException e) {
                calls(operation, "connection_error");
                return Uni.createFrom().failure(new ContificoException.Unavailable("No Contifico client for "
                        + c.baseUrl() + " (nothing sent): " + e.getMessage(), 0, false, e));
            }
            return call.apply(lease.api())
                    .map(ContificoExchange::answer)
                    // Counted before the deadline below, which cancels what is above it: a timed-out call counts once.
                    .invoke(a -> calls(operation, ContificoErrors.outcome(a.status())))
                    .onFailure().invoke(e -> calls(operation, ContificoErrors.outcome(e)))
                    .onFailure().transform(e -> ContificoErrors.transport(e, write, label))
                    .ifNoItem().after(Duration.ofMillis(timeoutMs)).failWith(() -> {
                        calls(operation, "timeout");
                        return ContificoErrors.timeout(write, label, timeoutMs);
                    })
                    .onTermination().invoke(lease.release());
        }).invoke(a -> {
            if (a.status() == 429) {
                Duration wait = ContificoErrors.retryAfter(a.retryAfter(), Instant.now());
                pacer.pause(c.integrationId(), wait == null ? Duration.ofSeconds(1) : wait);
            }
        });
    }

    private static ContificoAnswer answer(Response r) {
        byte[] body = null;
        if (r.hasEntity()) {
            body = r.readEntity(byte[].class);
        }
        return new ContificoAnswer(r.getStatus(), r.getHeaderString("Location"), r.getHeaderString("Retry-After"),
                body == null ? new byte[0] : body);
    }

    private void calls(String operation, String outcome) {
        registry.counter("stocksync.contifico.calls", "operation", operation, "outcome", outcome).increment();
    }

    private Throwable openBreaker(Throwable e, String operation) {
        if (e instanceof CircuitBreakerOpenException) {
            calls(operation, "circuit_open");
            return new ContificoException.Unavailable(
                    "Contifico is failing for this integration: circuit breaker open, call not attempted", 0, true, e);
        }
        return e;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> Uni<T> guarded(Guard guard, Supplier<Uni<T>> call) {
        return (Uni<T>) guard.get((Supplier) call, (Class) Uni.class);
    }
}
