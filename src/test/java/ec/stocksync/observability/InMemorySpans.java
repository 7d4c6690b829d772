package ec.stocksync.observability;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Where finished spans go when a test turns the SDK on ({@link TracingTest}): the default exporter ("cdi") sends to
 * every SpanExporter bean. With the SDK disabled, as everywhere else, nothing reaches it.
 */
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
