package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

/** Pull runs: a store's recent runs, one run's progress, and cancelling a running one. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class PullRunResource {

    @Inject
    PullRuns runs;
    @Inject
    PullRunner runner;

    @GET
    @Path("/stores/{id}/pulls")
    public Uni<List<PullRunView>> pulls(@RestPath long id, @RestQuery Integer limit) {
        int n = limit == null ? 20 : limit;
        if (n < 1 || n > 200) {
            throw ApiException.invalidField("limit", "must be between 1 and 200");
        }
        return runs.forStore(id, n);
    }

    /** The run as it stands: status and progress while it runs, its outcome once it ended. */
    @GET
    @Path("/pull-runs/{runId}")
    public Uni<PullRunView> run(@RestPath long runId) {
        return runs.view(runId);
    }

    /** Asks a running pull to stop: 202 with the run (it ends CANCELLED within one step); 409 once it has ended. */
    @POST
    @Path("/pull-runs/{runId}/cancel")
    public Uni<jakarta.ws.rs.core.Response> cancel(@RestPath long runId) {
        return runner.cancel(runId).map(run -> jakarta.ws.rs.core.Response.accepted(run).build());
    }
}
