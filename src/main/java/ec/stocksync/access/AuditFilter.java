package ec.stocksync.access;

import ec.stocksync.common.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.Set;

/**
 * Records every write an authenticated caller attempts through /api, refused ones included, once its status is known.
 * The answer waits for the row, so a client that saw its change done can find it in the log. Unauthenticated requests
 * are not recorded: they change nothing, and recording them would let anyone fill the table.
 */
public class AuditFilter {

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    AuditLog audit;

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response) {
        Caller caller = (Caller) request.getProperty(AccessFilter.CALLER_PROPERTY);
        if (caller == null || READS.contains(request.getMethod())) {
            return Uni.createFrom().voidItem();
        }
        String method = request.getMethod();
        String path = request.getUriInfo().getPath();
        int status = response.getStatus();
        // The change is already made: a failed audit insert must not turn its answer into an error the client retries.
        return audit.record(caller, method, path, status).onFailure().recoverWithItem(e -> {
            LOG.errorf(e, "audit log insert failed: %s %s by %s (store %s) -> %d", method, path, caller.label(),
                    caller.auditedStore(), status);
            return null;
        });
    }
}
