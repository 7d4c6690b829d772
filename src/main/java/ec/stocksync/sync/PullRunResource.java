package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestPath;

/** One pull run: its progress while it runs, its outcome once it ended, and cancelling it. */
@Path("/api/pull-runs/{runId}")
@Produces(MediaType.APPLICATION_JSON)
public class PullRunResource {

    @Inject
    PullRuns runs;
    @Inject
    PullRunner runner;

    @GET
    public Uni<PullRunView> run(@RestPath long runId) {
        return runs.view(runId);
    }

    /** Asks a running pull to stop: 202 with the run (it ends CANCELLED within one step); 409 once it has ended. */
    @POST
    @Path("/cancel")
    public Uni<Response> cancel(@RestPath long runId) {
        return runner.cancel(runId).map(run -> Response.accepted(run).build());
    }
}
