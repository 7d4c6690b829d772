package ec.stocksync.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests quarkus-kubernetes writes at package time ({@code target/kubernetes/kubernetes.yml}) deploy what the
 * README promises: probes on the management port, two replicas rolled one at a time, sized resources, every secret from
 * the Secret, tunables from the ConfigMap, a PodDisruptionBudget. A failsafe test, because the file only exists after
 * {@code package}. Jackson's YAML module comes with the OpenAPI extension.
 */
class KubernetesManifestsIT {

    private static final Path MANIFESTS = Path.of("target", "kubernetes", "kubernetes.yml");
    private static final Path APPLICATION_PROPERTIES = Path.of("src", "main", "resources", "application.properties");
    private static final String SECRET = "stock-sync";
    private static final String CONFIG_MAP = "stock-sync-config";
    /** quarkus.management.port's default: the probes must reach the port the application opens. */
    private static final int MANAGEMENT_PORT = 9000;
    private static final int HTTP_PORT = 8080;
    /** The variables the prod profile reads for credentials (application.properties and SecretsConfig). */
    private static final List<String> SECRET_VARIABLES = List.of("STOCKSYNC_DB_REACTIVE_URL", "STOCKSYNC_DB_JDBC_URL",
            "STOCKSYNC_DB_USER", "STOCKSYNC_DB_PASSWORD", "STOCKSYNC_ADMIN_TOKEN", "STOCKSYNC_SECRETS_KEY");

    private static final Map<String, List<JsonNode>> byKind = new HashMap<>();

    @BeforeAll
    static void read() throws IOException {
        assertTrue(Files.exists(MANIFESTS), MANIFESTS + " is missing: run this test through `mvnw verify` (after package)");
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(MANIFESTS.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.hasNonNull("kind")) {
                    byKind.computeIfAbsent(doc.get("kind").asText(), k -> new ArrayList<>()).add(doc);
                }
            }
        }
    }

    @Test
    void probesAskTheManagementPortForTheHealthPaths() {
        JsonNode c = container();
        assertProbe(c, "livenessProbe", "/q/health/live");
        assertProbe(c, "readinessProbe", "/q/health/ready");
        assertProbe(c, "startupProbe", "/q/health/started");
    }

    @Test
    void thePodOpensBothPortsAndTheServiceOnlyThePublicOne() {
        Map<String, Integer> ports = new HashMap<>();
        container().path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertEquals(Map.of("http", HTTP_PORT, "management", MANAGEMENT_PORT), ports);

        JsonNode service = one("Service");
        JsonNode servicePorts = service.path("spec").path("ports");
        assertEquals(1, servicePorts.size(), "health and metrics stay off the Service: " + servicePorts);
        assertEquals(HTTP_PORT, servicePorts.get(0).path("targetPort").asInt());
        assertEquals(podLabels().get("app.kubernetes.io/name"),
                service.path("spec").path("selector").path("app.kubernetes.io/name").asText());
    }

    @Test
    void twoReplicasRolledOneAtATimeWithAStableSelector() {
        JsonNode spec = one("Deployment").path("spec");
        assertEquals(2, spec.path("replicas").asInt());
        JsonNode strategy = spec.path("strategy");
        assertEquals("RollingUpdate", strategy.path("type").asText());
        assertEquals("0", strategy.path("rollingUpdate").path("maxUnavailable").asText());
        assertEquals("1", strategy.path("rollingUpdate").path("maxSurge").asText());
        // A Deployment's selector cannot change: one that names the version would refuse the next release.
        assertFalse(spec.path("selector").path("matchLabels").has("app.kubernetes.io/version"),
                spec.path("selector").toString());
        // Flyway migrates in the application; no Job, no init container waiting for one.
        assertFalse(byKind.containsKey("Job"), "unexpected Job");
        assertTrue(spec.path("template").path("spec").path("initContainers").isMissingNode());
    }

    @Test
    void requestsAndLimitsAreSet() {
        JsonNode resources = container().path("resources");
        for (String kind : List.of("requests", "limits")) {
            for (String what : List.of("cpu", "memory")) {
                assertFalse(resources.path(kind).path(what).asText().isBlank(), kind + "." + what + " in " + resources);
            }
        }
        long request = mebibytes(resources.path("requests").path("memory").asText());
        long limit = mebibytes(resources.path("limits").path("memory").asText());
        assertTrue(request <= limit, resources.toString());
    }

    @Test
    void everySecretComesFromTheSecretByReference() {
        Map<String, JsonNode> env = env();
        for (String name : SECRET_VARIABLES) {
            JsonNode var = env.get(name);
            assertNotNull(var, name + " is not set");
            assertFalse(var.has("value"), name + " must not be written into the manifest");
            JsonNode ref = var.path("valueFrom").path("secretKeyRef");
            assertEquals(SECRET, ref.path("name").asText(), name + ": " + var);
            assertFalse(ref.path("key").asText().isBlank(), name + ": " + var);
        }
        assertTrue(byKind.getOrDefault("Secret", List.of()).isEmpty(), "the Secret is created by the operator, not shipped");
    }

    @Test
    void everyRequiredVariableOfTheApplicationIsProvided() throws IOException {
        // ${NAME} without a default fails the start when unset: each one must come from the Secret or the ConfigMap.
        Set<String> required = new TreeSet<>();
        Matcher m = Pattern.compile("^[^#%][^=]*=\\s*\\$\\{([A-Z0-9_]+)}\\s*$", Pattern.MULTILINE)
                .matcher(Files.readString(APPLICATION_PROPERTIES));
        while (m.find()) {
            required.add(m.group(1));
        }
        assertFalse(required.isEmpty());
        Set<String> provided = new TreeSet<>(env().keySet());
        provided.addAll(configMapData().keySet());
        assertTrue(provided.containsAll(required), "required " + required + ", provided " + provided);
    }

    @Test
    void tunablesComeFromTheConfigMapAndItHoldsNoSecret() {
        JsonNode envFrom = container().path("envFrom");
        assertTrue(envFrom.findValues("configMapRef").stream().anyMatch(r -> CONFIG_MAP.equals(r.path("name").asText())),
                envFrom.toString());
        Map<String, String> data = configMapData();
        assertTrue(data.containsKey("STOCKSYNC_DB_POOL_SIZE") && data.containsKey("STOCKSYNC_WORKER_CONCURRENCY"),
                data.toString());
        for (String secret : SECRET_VARIABLES) {
            assertFalse(data.containsKey(secret), secret + " belongs in the Secret");
        }
    }

    @Test
    void aPodDisruptionBudgetCoversThePods() {
        JsonNode pdb = one("PodDisruptionBudget");
        assertEquals("policy/v1", pdb.path("apiVersion").asText());
        JsonNode spec = pdb.path("spec");
        assertTrue(spec.has("maxUnavailable") || spec.has("minAvailable"), spec.toString());
        Map<String, String> labels = podLabels();
        spec.path("selector").path("matchLabels").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), labels.get(e.getKey()), "the budget selects the Deployment's pods"));
        assertFalse(spec.path("selector").path("matchLabels").isEmpty());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertProbe(JsonNode container, String probe, String path) {
        JsonNode get = container.path(probe).path("httpGet");
        assertEquals(path, get.path("path").asText(), probe + ": " + container.path(probe));
        JsonNode port = get.path("port");
        // A port is a number or the name of a container port.
        int number = port.isInt() ? port.asInt() : containerPorts(container).getOrDefault(port.asText(), -1);
        assertEquals(MANAGEMENT_PORT, number, probe + " must ask the management port: " + get);
    }

    private static Map<String, Integer> containerPorts(JsonNode container) {
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return ports;
    }

    private static JsonNode one(String kind) {
        List<JsonNode> docs = byKind.getOrDefault(kind, List.of());
        assertEquals(1, docs.size(), "one " + kind + " in " + MANIFESTS + ", kinds found: " + byKind.keySet());
        return docs.get(0);
    }

    private static JsonNode container() {
        JsonNode containers = one("Deployment").path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static Map<String, String> podLabels() {
        Map<String, String> labels = new HashMap<>();
        one("Deployment").path("spec").path("template").path("metadata").path("labels").fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private static Map<String, JsonNode> env() {
        Map<String, JsonNode> env = new HashMap<>();
        container().path("env").forEach(e -> env.put(e.path("name").asText(), e));
        return env;
    }

    private static Map<String, String> configMapData() {
        JsonNode cm = byKind.getOrDefault("ConfigMap", List.of()).stream()
                .filter(c -> CONFIG_MAP.equals(c.path("metadata").path("name").asText())).findFirst().orElse(null);
        assertNotNull(cm, "ConfigMap " + CONFIG_MAP + " is not in " + MANIFESTS);
        Map<String, String> data = new HashMap<>();
        cm.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        return data;
    }

    private static long mebibytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertTrue(m.matches(), "memory in Mi or Gi: " + quantity);
        return Long.parseLong(m.group(1)) * ("Gi".equals(m.group(2)) ? 1024 : 1);
    }
}
