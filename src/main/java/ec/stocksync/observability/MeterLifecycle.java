package ec.stocksync.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import java.util.List;

/**
 * Our meters leave with the application. The injected registry is Micrometer's global composite, which outlives an
 * application restarted in the same JVM (dev mode's live reload, each test profile): a gauge left behind there keeps
 * the id, so the next start's gauge of the same name is never registered and the scrape reports the dead one (NaN for a
 * gauge whose object was collected, a frozen figure otherwise).
 */
@ApplicationScoped
public class MeterLifecycle {

    static final String PREFIX = "stocksync.";

    @Inject
    MeterRegistry registry;

    void onStop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) ShutdownEvent event) {
        // Last among our shutdown observers: a pull or push that ends while the worker drains still records its meters.
        List<Meter> ours = registry.getMeters().stream().filter(m -> m.getId().getName().startsWith(PREFIX)).toList();
        ours.forEach(registry::remove);
    }
}
