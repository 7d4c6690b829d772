package ec.stocksync.reconcile;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

/** Runs or inspects the reconciliation of a store's orders (admin API: bearer token). */
@Path("/api/stores/{id}/reconcile")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class ReconcileResource {

    @Inject
    CurrentCaller current;
    @Inject
    ReconciliationService reconciliation;

    /** Reconciles now and answers the run's summary; 409 {@code reconcile_in_progress} when one already runs. */
    @POST
    @Operation(summary = "Reconcile the store's orders now")
    public Uni<ReconciliationService.Summary> reconcile(@RestPath long id) {
        current.get().requireStore(id);
        return reconciliation.reconcile(id);
    }

    /** The watermark and the last run. */
    @GET
    @Operation(summary = "The reconciliation watermark and last run")
    public Uni<ReconciliationService.State> state(@RestPath long id) {
        current.get().requireStore(id);
        return reconciliation.state(id);
    }
}
