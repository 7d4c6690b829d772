package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;

/** One pull run: its progress while it runs, its outcome once it ended, and cancelling it. */
@Path("/api/pull-runs/{runId}")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class PullRunResource {

    @Inject
    PullRuns runs;
    @Inject
    PullRunner runner;
    @Inject
    CurrentCaller current;

    @GET
    @Operation(summary = "Get a pull run: progress, then outcome")
    public Uni<PullRunView> run(@RestPath long runId) {
        return visible(runId);
    }

    /** A run of a store the caller may not see is the same 404 as a run that does not exist. */
    private Uni<PullRunView> visible(long runId) {
        var caller = current.get();
        return runs.view(runId).invoke(run -> caller.requireOwned(run.storeId(), PullRuns.notFound(runId)));
    }

    /** Asks a running pull to stop: 202 with the run (it ends CANCELLED within one step); 409 once it has ended. */
    @POST
    @Path("/cancel")
    @APIResponse(responseCode = "202", description = "Asked to stop: it ends CANCELLED within one step.",
            content = @Content(schema = @Schema(implementation = PullRunView.class)))
    @APIResponse(responseCode = "409", description = "pull_run_finished: the run has already ended.")
    @Operation(summary = "Ask a running pull to stop")
    public Uni<Response> cancel(@RestPath long runId) {
        return visible(runId).chain(() -> runner.cancel(runId)).map(run -> Response.accepted(run).build());
    }
}
