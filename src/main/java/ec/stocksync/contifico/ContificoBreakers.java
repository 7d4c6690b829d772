package ec.stocksync.contifico;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One circuit breaker per integration, so one tenant's outage does not stop the others, each with its state gauge
 * ({@code stocksync.contifico.circuit.breaker.state}). Programmatic guards because FT annotations give one breaker per
 * method, shared by every tenant. Only {@link ContificoException#countsAsOutage() outages} count: a 4xx or a bad
 * answer is a healthy Contifico talking.
 */
@ApplicationScoped
public class ContificoBreakers {

    private static final Logger LOG = Logger.getLogger(ContificoBreakers.class);

    private final ContificoConfig config;
    private final MeterRegistry registry;
    private final Map<Long, Breaker> breakers = new ConcurrentHashMap<>();

    private record Breaker(Guard guard, Gauge gauge) {
    }

    public ContificoBreakers(ContificoConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    Guard of(long integrationId) {
        return breakers.computeIfAbsent(integrationId, this::create).guard();
    }

    /**
     * Drops the integration's breaker and its gauge series (deactivated, or pointed elsewhere): a gauge left behind
     * would report a breaker nobody uses any more, and an open one would keep alerting.
     */
    public void forget(long integrationId) {
        Breaker b = breakers.remove(integrationId);
        if (b != null) {
            registry.remove(b.gauge());
        }
    }

    private Breaker create(long id) {
        ContificoConfig.CircuitBreaker cb = config.circuitBreaker();
        // 0 closed, 1 half-open, 2 open: one series per integration that has called Contifico on this replica.
        AtomicInteger state = new AtomicInteger();
        Gauge gauge = Gauge.builder("stocksync.contifico.circuit.breaker.state", state, AtomicInteger::get)
                .description("Contifico circuit breaker of the integration: 0 closed, 1 half-open, 2 open")
                .tag("integration", String.valueOf(id))
                .register(registry);
        Guard guard = Guard.create()
                .withDescription("contifico-integration-" + id)
                .withCircuitBreaker()
                    .requestVolumeThreshold(cb.requestVolumeThreshold())
                    .failureRatio(cb.failureRatio())
                    .delay(cb.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(cb.successThreshold())
                    .when(e -> e instanceof ContificoException ce && ce.countsAsOutage())
                    .onStateChange(s -> {
                        state.set(s == CircuitBreakerState.OPEN ? 2 : s == CircuitBreakerState.HALF_OPEN ? 1 : 0);
                        LOG.warnf("Contifico circuit breaker of integration %d is now %s", id, s);
                    })
                    .done()
                .build();
        return new Breaker(guard, gauge);
    }
}
