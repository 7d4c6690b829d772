package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.StrictJson;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.net.URI;
import java.util.List;

@Path("/api/stores/{id}/pull")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@StoreScoped
@CustomDeserialization(StrictJson.class)
public class SyncResource {

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
    @Operation(summary = "Start a full or delta pull of the store in the background")
    public Uni<Response> full(@RestPath long id,
                              @RestQuery @Parameter(schema = @Schema(type = SchemaType.BOOLEAN)) String wait, @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PullRequest.class),
                    examples = @ExampleObject(name = "example", value = PullRequest.EXAMPLE)))
                    @Valid PullRequest body) {
        current.get().requireStore(id);
        boolean waitForEnd = flag("wait", wait);
        PullRequest request = body == null ? PullRequest.DEFAULTS : body;
        SyncOptions options = request.options();
        PullMode mode = request.pullMode();
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

    /** Pulls the named SKUs now, without the store's pull lock (it may run beside pushes and full pulls). */
    @POST
    @Path("/selective")
    @Operation(summary = "Pull the named SKUs now")
    public Uni<SelectiveSummary> selective(@RestPath long id, @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SelectivePullRequest.class),
                    examples = @ExampleObject(name = "example", value = SelectivePullRequest.EXAMPLE)))
                    @NotNull @Valid SelectivePullRequest body) {
        current.get().requireStore(id);
        List<String> skus = body.skus();
        SyncOptions options = body.options();
        long started = System.nanoTime();
        return sync.pullFromIntegrationSelective(id, null, skus, options, SyncTrigger.MANUAL)
                .map(results -> new SelectiveSummary(results.size(),
                        count(results, SyncAction.UPDATED), count(results, SyncAction.UNCHANGED),
                        results.stream().filter(r -> r.action().skipped()).count(), count(results, SyncAction.ERROR),
                        (System.nanoTime() - started) / 1_000_000, results));
    }

    private static long count(List<SkuPullResult> results, SyncAction action) {
        return results.stream().filter(r -> r.action() == action).count();
    }
}
