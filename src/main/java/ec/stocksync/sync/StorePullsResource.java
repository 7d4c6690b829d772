package ec.stocksync.sync;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

/** A store's recent pull runs, newest first. */
@Path("/api/stores/{id}/pulls")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class StorePullsResource {

    static final String LIMIT_RULE = "must be between 1 and 200";

    @Inject
    CurrentCaller current;
    @Inject
    PullRuns runs;

    @GET
    @Operation(summary = "The store's recent pull runs, newest first")
    public Uni<List<PullRunView>> pulls(@RestPath long id,
                                        @RestQuery @Min(value = 1, message = LIMIT_RULE) @Max(value = 200, message = LIMIT_RULE) Integer limit) {
        current.get().requireStore(id);
        return runs.forStore(id, limit == null ? 20 : limit);
    }
}
