package ec.stocksync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.JsonFields;
import ec.stocksync.common.StoreScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import jakarta.ws.rs.core.Response;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.URI;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

@Path("/api/stores/{id}/pull")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@StoreScoped
public class SyncResource {

    private static final int MAX_SELECTIVE_SKUS = 500;

    @Inject
    SyncService sync;
    @Inject
    PullRunner runner;
    @Inject
    CurrentCaller current;

    @RegisterForReflection
    public record SelectiveSummary(int processed, long updated, long unchanged, long skipped, long failed,
                                   long durationMs, List<SkuPullResult> results) {
    }

    /**
     * Starts a pull of the store (trigger MANUAL) in the background: 202 with the run, followed at
     * {@code /api/pull-runs/{runId}}; with {@code ?wait=true}, 200 with the run once it has ended. {@code mode} is
     * {@code full} (every mapped SKU, the default) or {@code delta} (only what Contifico's change signals flag).
     * 409 {@code pull_in_progress} while another pull of the store runs.
     */
    @POST
    @APIResponse(responseCode = "202", description = "The run, started; follow it at the Location.",
            content = @Content(schema = @Schema(implementation = PullRunView.class)))
    @APIResponse(responseCode = "200", description = "With ?wait=true: the run, once it has ended.",
            content = @Content(schema = @Schema(implementation = PullRunView.class)))
    @APIResponse(responseCode = "409", description = "pull_in_progress: another pull of the store is running.")
    public Uni<Response> full(@RestPath long id, @RestQuery String wait, JsonNode body) {
        current.get().requireStore(id);
        boolean waitForEnd = flag("wait", wait);
        JsonNode b = body == null || body.isNull() ? JsonNodeFactory.instance.objectNode() : body;
        JsonFields f = JsonFields.of(b, Set.of("dryRun", "limit", "skipRecentPushCheck", "force", "mode"));
        SyncOptions options = new SyncOptions(f.bool("dryRun", false), limit(b), f.bool("skipRecentPushCheck", false),
                f.bool("force", false));
        PullMode mode = mode(f.text("mode"));
        if (mode == PullMode.DELTA && options.limit() != null) {
            throw ApiException.invalidField("limit", "applies to full pulls only: a delta pull reads what changed");
        }
        return runner.start(id, mode, options, SyncTrigger.MANUAL).chain(run -> waitForEnd
                ? runner.whenFinished(run.id()).map(done -> Response.ok(done).build())
                : Uni.createFrom().item(Response.accepted(run)
                        .location(URI.create("/api/pull-runs/" + run.id())).build()));
    }

    /** A query flag: absent, {@code true} or {@code false}; anything else is a 400 naming it. */
    private static boolean flag(String name, String value) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.isEmpty() || value.equalsIgnoreCase("true")) {
            return true;
        }
        throw ApiException.invalidField(name, "must be true or false");
    }

    private static PullMode mode(String text) {
        if (text == null || text.equalsIgnoreCase("full")) {
            return PullMode.FULL;
        }
        if (text.equalsIgnoreCase("delta")) {
            return PullMode.DELTA;
        }
        throw ApiException.invalidField("mode", "must be \"full\" or \"delta\"");
    }

    /** Pulls the named SKUs now, without the store's pull lock (it may run beside pushes and full pulls). */
    @POST
    @Path("/selective")
    public Uni<SelectiveSummary> selective(@RestPath long id, JsonNode body) {
        current.get().requireStore(id);
        JsonFields f = JsonFields.of(body, Set.of("skus", "dryRun", "skipRecentPushCheck", "limit", "force"));
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
        SyncOptions options = new SyncOptions(f.bool("dryRun", false), limit(body), f.bool("skipRecentPushCheck", false),
                f.bool("force", false));
        long started = System.nanoTime();
        return sync.pullFromIntegrationSelective(id, null, skus, options, SyncTrigger.MANUAL)
                .map(results -> new SelectiveSummary(results.size(),
                        count(results, SyncAction.UPDATED), count(results, SyncAction.UNCHANGED),
                        results.stream().filter(r -> r.action().skipped()).count(), count(results, SyncAction.ERROR),
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
