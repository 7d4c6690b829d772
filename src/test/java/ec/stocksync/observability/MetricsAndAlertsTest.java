package ec.stocksync.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.movement.MovementWorker;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import ec.stocksync.webhook.WebhookSignature;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12 G: after a real flow over HTTP (webhooks → push → post-push pull → manual pull, a breaker tripped on
 * purpose), every metric family an alert or a dashboard panel needs is on the management port's /q/metrics with
 * sensible values; and every metric name the shipped alert rules and Grafana dashboard use is one the service exports,
 * so renaming a metric breaks the build rather than an alert.
 */
@QuarkusTest
class MetricsAndAlertsTest {

    /** A sample of /q/metrics: its name (suffix included), its labels and its value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Metric names in PromQL: ours, and the Quarkus/Micrometer ones the dashboard shows. */
    private static final Pattern METRIC_NAME =
            Pattern.compile("\\b((?:stocksync|jvm|http_server|process|system)_[a-z0-9_]+)\\b");

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    MovementWorker worker;

    @AfterEach
    void stopWorker() {
        worker.main().stop();
        sandbox.contifico().clearFaults();
    }

    @Test
    void aFlowOverHttpShowsInEveryMetricFamilyWithSensibleValues() {
        ObservabilityFlow.Run run = ObservabilityFlow.run(sandbox, db, () -> worker.main().start());
        deliverTheOtherWebhookOutcomes(run.storeId());
        long tripped = tripABreaker();
        double finished = db.rows("SELECT extract(epoch FROM finished_at)::float8 FROM pull_runs WHERE id = $1",
                run.pullRunId()).get(0).getDouble(0);
        String store = String.valueOf(run.storeId());

        // The queue and freshness gauges are refreshed from the database in the background: wait for this run's.
        List<Sample> metrics = new ArrayList<>();
        Sandbox.await("the freshness gauge of store " + store, Duration.ofSeconds(40), () -> {
            metrics.clear();
            metrics.addAll(scrape());
            return find(metrics, "stocksync_pull_last_success_timestamp_seconds", Map.of("store", store)) != null;
        });

        for (String status : List.of("pending", "in_progress", "dead")) {
            assertTrue(value(metrics, "stocksync_queue_depth", Map.of("status", status)) >= 0, status);
        }
        assertTrue(value(metrics, "stocksync_queue_oldest_pending_age_seconds", Map.of()) >= 0);
        assertTrue(value(metrics, "stocksync_movements_total", Map.of("outcome", "done")) >= 1);

        // Latency histograms with buckets, so Prometheus can compute quantiles.
        assertHistogram(metrics, "stocksync_push_latency_seconds", Map.of("kind", "SALE"), "0.05", "60.0");
        assertHistogram(metrics, "stocksync_pull_latency_seconds", Map.of("trigger", "SALE"), "0.05", "60.0");
        assertHistogram(metrics, "stocksync_pull_run_duration_seconds",
                Map.of("mode", "FULL", "trigger", "MANUAL", "status", "DONE"), "1.0", "3600.0");
        assertTrue(value(metrics, "stocksync_pull_runs_total",
                Map.of("mode", "FULL", "trigger", "MANUAL", "status", "DONE")) >= 1);

        assertTrue(value(metrics, "stocksync_contifico_calls_total",
                Map.of("operation", "movement_create", "outcome", "ok")) >= 1);
        assertTrue(value(metrics, "stocksync_contifico_calls_total",
                Map.of("operation", "product_stock", "outcome", "ok")) >= 1);
        assertTrue(value(metrics, "stocksync_contifico_calls_total",
                Map.of("operation", "product_stock", "outcome", "server_error")) >= 1);
        assertTrue(value(metrics, "stocksync_contifico_calls_total", Map.of("outcome", "circuit_open")) >= 1);
        assertTrue(metrics.stream().filter(s -> s.name().equals("stocksync_contifico_calls_total"))
                .noneMatch(s -> "other".equals(s.labels().get("operation"))), "every Contifico call has its operation");
        assertTrue(value(metrics, "stocksync_storefront_calls_total",
                Map.of("platform", "shopify", "outcome", "ok")) >= 1);

        assertEquals(0, value(metrics, "stocksync_contifico_circuit_breaker_state",
                Map.of("integration", String.valueOf(run.integrationId()))), "closed");
        // It read 2 (open) when it tripped; the test breaker's 1 s delay may have turned it half-open (1) since.
        assertTrue(value(metrics, "stocksync_contifico_circuit_breaker_state",
                Map.of("integration", String.valueOf(tripped))) >= 1, "not closed again");

        for (String outcome : List.of("accepted", "duplicate", "rejected_signature", "too_large", "malformed")) {
            assertTrue(value(metrics, "stocksync_webhooks_total", Map.of("platform", "shopify", "outcome", outcome)) >= 1,
                    outcome);
        }

        assertEquals(finished, value(metrics, "stocksync_pull_last_success_timestamp_seconds", Map.of("store", store)),
                0.001, "the end of the manual full pull, in epoch seconds");
    }

    @Test
    void everyMetricTheAlertRulesAndTheDashboardUseIsOneTheServiceExports() throws IOException {
        ObservabilityFlow.run(sandbox, db, () -> worker.main().start());
        Set<String> exported = new TreeSet<>();
        scrape().forEach(s -> exported.add(s.name()));

        JsonNode rules = new YAMLMapper().readTree(Files.readString(Path.of("deploy/prometheus/stock-sync-alerts.yml")));
        List<String> alertExpressions = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(r -> alertExpressions.add(r.path("expr").asText())));
        Set<String> alertNames = names(alertExpressions);
        for (String required : List.of("stocksync_queue_oldest_pending_age_seconds", "stocksync_queue_depth",
                "stocksync_contifico_circuit_breaker_state", "stocksync_pull_last_success_timestamp_seconds")) {
            assertTrue(alertNames.contains(required), "an alert on " + required);
        }
        assertExported(alertNames, exported, "the alert rules");

        JsonNode dashboard = new ObjectMapper().readTree(
                Files.readString(Path.of("deploy/grafana/stock-sync-dashboard.json")));
        List<String> panelExpressions = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> panelExpressions.add(t.path("expr").asText())));
        Set<String> panelNames = names(panelExpressions);
        assertTrue(panelNames.size() >= 10, "the dashboard shows the service's metrics: " + panelNames);
        assertExported(panelNames, exported, "the Grafana dashboard");
    }

    private static void assertExported(Set<String> used, Set<String> exported, String where) {
        assertFalse(used.isEmpty(), where + " names no metric");
        for (String name : used) {
            assertTrue(exported.contains(name), where + " use " + name + ", which /q/metrics does not export");
        }
    }

    private static Set<String> names(List<String> expressions) {
        Set<String> out = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = METRIC_NAME.matcher(e);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Duplicate, forged, oversized and malformed deliveries: each outcome of a webhook, over HTTP. */
    private static void deliverTheOtherWebhookOutcomes(long storeId) {
        byte[] body = ObservabilityFlow.orderWithCustomerData();
        String id = UUID.randomUUID().toString();
        for (String expected : List.of("accepted", "duplicate")) {
            given().contentType("application/json").header("X-Shopify-Topic", "orders/create")
                    .header("X-Shopify-Webhook-Id", id).header("X-Shopify-Shop-Domain", ObservabilityFlow.SHOP_DOMAIN)
                    .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(ObservabilityFlow.WEBHOOK_SECRET, body))
                    .body(body).post("/webhooks/shopify/" + storeId).then().statusCode(200);
        }
        ObservabilityFlow.deliver(storeId, body, "not-the-secret").statusCode(401);
        byte[] huge = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        ObservabilityFlow.deliver(storeId, huge, ObservabilityFlow.WEBHOOK_SECRET).statusCode(413);
        ObservabilityFlow.deliver(storeId, "{not json".getBytes(StandardCharsets.UTF_8), ObservabilityFlow.WEBHOOK_SECRET)
                .statusCode(400);
    }

    /** A second integration whose stock reads all fail with 500 until its breaker opens; answers its id. */
    private long tripABreaker() {
        Sandbox.Wired other = sandbox.shopifyStore();
        sandbox.product(other, "OBS-TRIP-1", 5, 5);
        sandbox.product(other, "OBS-TRIP-2", 5, 5);
        sandbox.contifico().setFault(ContificoSimulator.Endpoint.PRODUCT_STOCK,
                ContificoSimulator.Fault.always(ContificoSimulator.FaultType.ERROR_500));
        Sandbox.await("the breaker of integration " + other.integrationId() + " open", Duration.ofSeconds(30), () -> {
            Api.admin().body(Map.of("skus", List.of("OBS-TRIP-1", "OBS-TRIP-2")))
                    .post("/api/stores/" + other.storeId() + "/pull/selective");
            Sample s = find(scrape(), "stocksync_contifico_circuit_breaker_state",
                    Map.of("integration", String.valueOf(other.integrationId())));
            return s != null && s.value() == 2;
        });
        // One more, refused by the open breaker without reaching Contifico.
        Api.admin().body(Map.of("skus", List.of("OBS-TRIP-1"))).post("/api/stores/" + other.storeId() + "/pull/selective");
        sandbox.contifico().clearFaults();
        return other.integrationId();
    }

    private static void assertHistogram(List<Sample> metrics, String family, Map<String, String> labels,
                                        String firstBucket, String lastBucket) {
        assertTrue(value(metrics, family + "_count", labels) >= 1, family + " counted " + labels);
        assertTrue(value(metrics, family + "_sum", labels) > 0, family + " summed " + labels);
        for (String le : List.of(firstBucket, lastBucket, "+Inf")) {
            Map<String, String> bucket = new HashMap<>(labels);
            bucket.put("le", le);
            assertTrue(find(metrics, family + "_bucket", bucket) != null, family + " has the bucket le=" + le);
        }
    }

    /** The sum over every series of {@code name} whose labels include {@code labels}. */
    private static double value(List<Sample> metrics, String name, Map<String, String> labels) {
        List<Sample> matching = metrics.stream().filter(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        assertFalse(matching.isEmpty(), "/q/metrics has no " + name + labels);
        return matching.stream().mapToDouble(Sample::value).sum();
    }

    private static Sample find(List<Sample> metrics, String name, Map<String, String> labels) {
        return metrics.stream().filter(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet())).findFirst().orElse(null);
    }

    private List<Sample> scrape() {
        String text = RestAssured.given().baseUri(management.getProtocol() + "://" + management.getHost())
                .port(management.getPort()).get("/q/metrics").then().statusCode(200).extract().asString();
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return out;
    }
}
