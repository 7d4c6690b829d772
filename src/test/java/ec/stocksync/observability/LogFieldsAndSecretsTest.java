package ec.stocksync.observability;

import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Issue 12 F: what the service logs during a whole flow names the store, movement, SKU and pull run it concerns (as
 * MDC fields, which the JSON log of prod carries), and never a secret nor a customer's personal data.
 */
@QuarkusTest
class LogFieldsAndSecretsTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    @AfterEach
    void stopWorker() {
        worker.main().stop();
    }

    @Test
    void aWholeFlowLogsItsStoreMovementSkuAndPullRunButNoSecretAndNoCustomerData() {
        ObservabilityFlow.Run run;
        List<LogCapture.Captured> records;
        try (LogCapture capture = new LogCapture()) {
            run = ObservabilityFlow.run(sandbox, db, () -> worker.main().start());
            records = capture.records();
        }
        assertFalse(records.isEmpty());

        for (LogCapture.Captured r : records) {
            for (String secret : run.secrets()) {
                assertFalse(r.all().contains(secret), "a secret reached the log: " + r);
            }
            for (String personal : ObservabilityFlow.PERSONAL) {
                assertFalse(r.all().contains(personal), "customer data reached the log (" + personal + "): " + r);
            }
        }

        // Written after the Contifico call came back, on whatever thread: the push's fields must have followed it.
        LogCapture.Captured pushed = only(records, r -> r.logger().endsWith("movement.InventoryPushService")
                && r.text().startsWith("pushed SALE " + ObservabilityFlow.SKU));
        assertEquals(Map.of("storeId", String.valueOf(run.storeId()), "sku", ObservabilityFlow.SKU,
                "movementId", String.valueOf(run.movementId())), fields(pushed), pushed.toString());

        LogCapture.Captured pulled = only(records, r -> r.logger().endsWith("sync.PullRunner")
                && r.text().startsWith("pull run " + run.pullRunId() + " "));
        assertEquals(Map.of("storeId", String.valueOf(run.storeId()), "pullRunId", String.valueOf(run.pullRunId())),
                fields(pulled), pulled.toString());

        LogCapture.Captured webhook = only(records, r -> r.logger().endsWith("webhook.WebhookResource")
                && r.text().startsWith("webhook shopify store=" + run.storeId()));
        assertEquals(String.valueOf(run.storeId()), webhook.mdc().get("storeId"), webhook.toString());
    }

    /** Our own fields of a record: what Quarkus adds (trace ids when tracing is on) is left aside. */
    private static Map<String, String> fields(LogCapture.Captured r) {
        Map<String, String> ours = new java.util.HashMap<>(r.mdc());
        ours.keySet().retainAll(List.of("storeId", "sku", "movementId", "pullRunId"));
        return ours;
    }

    private static LogCapture.Captured only(List<LogCapture.Captured> records, Predicate<LogCapture.Captured> which) {
        List<LogCapture.Captured> found = records.stream().filter(which).toList();
        assertEquals(1, found.size(), () -> "expected one such record among " + records.size() + ": " + found);
        return found.get(0);
    }
}
