package ec.stocksync.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without configuration the OpenTelemetry SDK is off, as in the rest of the suite: Quarkus builds it without its
 * exporters and processors, so a span still gets ids (the log's traceId) but goes nowhere, not even to an exporter
 * bean that is there to take it, and no exporter exists to connect to a collector.
 */
@QuarkusTest
class TracingOffByDefaultTest {

    @Inject
    Tracer tracer;
    @Inject
    OpenTelemetry openTelemetry;
    @Inject
    InMemorySpanExporter exporter;

    @Test
    void aFinishedSpanReachesNoExporterUnlessTheSdkIsTurnedOn() {
        exporter.reset();
        tracer.spanBuilder("probe").startSpan().end();
        // Flushing hands every finished span to the exporters at once: with the SDK on, the probe would be there now.
        OpenTelemetrySdk sdk = assertInstanceOf(OpenTelemetrySdk.class, openTelemetry);
        assertTrue(sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess());
        assertTrue(exporter.getFinishedSpanItems().isEmpty(), exporter.getFinishedSpanItems().toString());
    }
}
