package ec.stocksync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.JsonFields;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

@Path("/api/stores/{id}/pull")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SyncResource {

    private static final int MAX_SELECTIVE_SKUS = 500;

    @Inject
    SyncService sync;

    @RegisterForReflection
    public record SelectiveSummary(int processed, long updated, long unchanged, long skipped, long failed,
                                   long durationMs, List<SkuPullResult> results) {
    }

    /** Full pull of the store now (trigger MANUAL); 409 {@code pull_in_progress} while another one runs. */
    @POST
    public Uni<PullSummary> full(@RestPath long id, JsonNode body) {
        JsonFields f = JsonFields.of(body == null || body.isNull() ? com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode() : body, Set.of("dryRun", "limit", "skipRecentPushCheck"));
        SyncOptions options = new SyncOptions(f.bool("dryRun", false), limit(body), f.bool("skipRecentPushCheck", false));
        return sync.pullFromIntegration(id, null, options, SyncTrigger.MANUAL);
    }

    /** Pulls the named SKUs now, without the store's pull lock (it may run beside pushes and full pulls). */
    @POST
    @Path("/selective")
    public Uni<SelectiveSummary> selective(@RestPath long id, JsonNode body) {
        JsonFields f = JsonFields.of(body, Set.of("skus", "dryRun", "skipRecentPushCheck", "limit"));
        JsonNode skusNode = body.get("skus");
        if (skusNode == null || !skusNode.isArray() || skusNode.isEmpty()) {
            throw ApiException.invalidField("skus", "must be a non-empty array of SKUs");
        }
        if (skusNode.size() > MAX_SELECTIVE_SKUS) {
            throw ApiException.invalidField("skus", "at most " + MAX_SELECTIVE_SKUS + " per request; use the full pull");
        }
        List<String> skus = new ArrayList<>();
        for (JsonNode n : skusNode) {
            if (!n.isTextual() || n.asText().isBlank()) {
                throw ApiException.invalidField("skus", "every SKU must be a non-empty string");
            }
            skus.add(n.asText().trim());
        }
        SyncOptions options = new SyncOptions(f.bool("dryRun", false), limit(body), f.bool("skipRecentPushCheck", false));
        long started = System.nanoTime();
        return sync.pullFromIntegrationSelective(id, null, skus, options, SyncTrigger.MANUAL)
                .map(results -> new SelectiveSummary(results.size(),
                        count(results, SyncAction.UPDATED), count(results, SyncAction.UNCHANGED),
                        count(results, SyncAction.SKIPPED_RECENT_PUSH), count(results, SyncAction.ERROR),
                        (System.nanoTime() - started) / 1_000_000, results));
    }

    private static Integer limit(JsonNode body) {
        JsonNode limit = body == null ? null : body.get("limit");
        if (limit == null || limit.isNull()) {
            return null;
        }
        if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.asInt() < 1) {
            throw ApiException.invalidField("limit", "must be a positive whole number");
        }
        return limit.asInt();
    }

    private static long count(List<SkuPullResult> results, SyncAction action) {
        return results.stream().filter(r -> r.action() == action).count();
    }
}
