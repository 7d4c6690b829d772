package ec.stocksync.observability;

import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the SDK on (as an operator turns it on, minus the OTLP exporter, which would need a collector), a movement
 * group's push is one span carrying its store, SKU and movement, its post-push pull a child of it in the same trace,
 * and a pull run a span of its own carrying its id.
 */
@QuarkusTest
@TestProfile(TracingTest.SdkOn.class)
class TracingTest {

    public static class SdkOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    // No collector here: spans go to the in-memory exporter only (InMemorySpans), never to a socket.
                    "quarkus.otel.exporter.otlp.enabled", "false",
                    "quarkus.otel.bsp.schedule.delay", "100ms");
        }
    }

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;
    @Inject
    InMemorySpanExporter spans;

    @AfterEach
    void stopWorker() {
        worker.main().stop();
    }

    @Test
    void aPushIsOneSpanWithItsStoreAndSkuAndItsPostPushPullIsItsChildAndAPullRunHasItsOwn() {
        spans.reset();
        ObservabilityFlow.Run run = ObservabilityFlow.run(sandbox, db, () -> worker.main().start());

        Sandbox.await("the push, post-push pull and pull-run spans", Duration.ofSeconds(20),
                () -> named("stocksync.push").isPresent() && named("stocksync.pull.after_push").isPresent()
                        && named("stocksync.pull").isPresent());

        SpanData push = named("stocksync.push").orElseThrow();
        assertEquals(String.valueOf(run.storeId()), attribute(push, "stocksync.storeId"));
        assertEquals(ObservabilityFlow.SKU, attribute(push, "stocksync.sku"));
        assertEquals(String.valueOf(run.movementId()), attribute(push, "stocksync.movementId"));

        SpanData afterPush = named("stocksync.pull.after_push").orElseThrow();
        assertEquals(push.getTraceId(), afterPush.getTraceId(), "one trace per push");
        assertEquals(push.getSpanId(), afterPush.getParentSpanId(), "the post-push pull is the push's child");
        assertTrue(afterPush.getEndEpochNanos() <= push.getEndEpochNanos(), "and ends inside it");

        SpanData pull = named("stocksync.pull").orElseThrow();
        assertEquals(String.valueOf(run.storeId()), attribute(pull, "stocksync.storeId"));
        assertEquals(String.valueOf(run.pullRunId()), attribute(pull, "stocksync.pullRunId"));
        assertEquals("FULL", attribute(pull, "stocksync.mode"));
        assertEquals("MANUAL", attribute(pull, "stocksync.trigger"));

        // The instrumented clients hang their spans under ours: the push's own trace holds more than the two above.
        long inPushTrace = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(push.getTraceId())).count();
        assertTrue(inPushTrace > 2, "spans in the push's trace: " + inPushTrace);
    }

    private Optional<SpanData> named(String name) {
        List<SpanData> finished = spans.getFinishedSpanItems();
        return finished.stream().filter(s -> s.getName().equals(name)).findFirst();
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
