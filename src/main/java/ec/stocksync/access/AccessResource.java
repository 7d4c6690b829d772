package ec.stocksync.access;

import ec.stocksync.common.Caller;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.Paging;
import ec.stocksync.common.StoreScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestQuery;

import java.time.OffsetDateTime;

/** What the calling token may do, and the audit trail of API writes as far as the caller may see it. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class AccessResource {

    @Inject
    AuditLog audit;
    @Inject
    CurrentCaller current;

    /** {@code scope} admin or store, {@code access} read-only or read-write: the dashboard hides what it may not do. */
    @RegisterForReflection
    public record Me(Long tokenId, String name, String scope, Long storeId, String access, OffsetDateTime expiresAt) {
    }

    @GET
    @Path("/me")
    @Operation(summary = "What the calling token may do")
    public Me me() {
        Caller c = current.get();
        return new Me(c.tokenId(), c.tokenName(), c.isAdmin() ? "admin" : "store", c.storeId(),
                c.canWrite() ? "read-write" : "read-only", c.expiresAt());
    }

    /** An admin sees every entry (filter by store or token); a store token sees the entries about its store. */
    @GET
    @Path("/audit")
    @Operation(summary = "The audit trail of API writes the caller may see")
    public Uni<AuditLog.Page> audit(@RestQuery Long storeId, @RestQuery Long tokenId,
                                    @RestQuery @Min(value = 0, message = Paging.PAGE_RULE) Integer page,
                                    @RestQuery @Min(value = 1, message = Paging.SIZE_RULE) @Max(value = Paging.MAX_SIZE, message = Paging.SIZE_RULE) Integer size) {
        Paging paging = Paging.of(page, size);
        Long store = current.get().storeFilter(storeId);
        return audit.page(store, tokenId, paging);
    }
}
