package ec.stocksync.movement;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.Paging;
import ec.stocksync.common.StoreScoped;
import ec.stocksync.common.StrictJson;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

/**
 * The queue as operators see it: what is waiting, what died and why, a way to try a dead one again, and a way to give
 * up on one (its units stop being reserved).
 */
@Path("/api/movements")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
@CustomDeserialization(StrictJson.class)
public class MovementResource {

    static final int REASON_MIN = 3;
    static final int REASON_MAX = 500;
    static final int FILTER_MAX = 200;

    @Inject
    MovementRepository repo;
    @Inject
    CurrentCaller current;

    @RegisterForReflection
    public record Page(List<Movement> items, int page, int size, long total) {
    }

    @GET
    @Operation(summary = "List queued movements, newest first")
    public Uni<Page> list(@RestQuery Long storeId, @RestQuery MovementStatus status, @RestQuery String sku,
                          @RestQuery @Parameter(schema = @Schema(type = SchemaType.BOOLEAN)) String dismissed,
                          @RestQuery @Parameter(description = "Text the last error contains, any case; % and _ are plain characters") String error,
                          @RestQuery @Min(value = 0, message = Paging.PAGE_RULE) Integer page,
                          @RestQuery @Min(value = 1, message = Paging.SIZE_RULE) @Max(value = Paging.MAX_SIZE, message = Paging.SIZE_RULE) Integer size) {
        Paging paging = Paging.of(page, size);
        Long store = current.get().storeFilter(storeId);
        Boolean dismissedFilter = optionalBoolean("dismissed", dismissed);
        String errorPattern = MovementRepository.containsPattern(filterText("error", error));
        return repo.page(store, status, filterText("sku", sku), dismissedFilter, errorPattern, paging.size(), paging.offset())
                .map(p -> new Page(p.items(), paging.page(), paging.size(), p.total()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a movement")
    public Uni<Movement> get(@RestPath long id) {
        return visible(id);
    }

    /** The movement, when it exists and the caller may see its store; otherwise one and the same 404. */
    private Uni<Movement> visible(long id) {
        var caller = current.get();
        return repo.find(id).map(m -> {
            if (m == null) {
                throw notFound(id);
            }
            caller.requireOwned(m.storeId(), notFound(id));
            return m;
        });
    }

    private static ApiException notFound(long id) {
        return ApiException.notFound("movement_not_found", "No movement with id " + id + ".");
    }

    /**
     * A DEAD movement back to PENDING with a fresh retry budget (e.g. once Contifico is back, or the SKU fixed). A
     * dismissed one may be retried too: the dismissal is cleared, since the sale is being booked after all.
     */
    @POST
    @Path("/{id}/retry")
    @Operation(summary = "Retry a DEAD movement with a fresh retry budget")
    public Uni<Movement> retry(@RestPath long id) {
        return visible(id).chain(() -> repo.retry(id)).chain(m -> m != null ? Uni.createFrom().item(m) : visible(id).map(existing -> {
            throw ApiException.conflict("movement_not_dead", "Movement " + id + " is " + existing.status()
                    + ": only a DEAD movement can be retried.");
        }));
    }

    /**
     * Gives up on a DEAD movement with a reason kept for the audit: its units are no longer reserved and its SKU no
     * longer needs attention. For a sale booked in Contifico by hand, or one that will never be booked.
     */
    @POST
    @Path("/{id}/dismiss")
    @Operation(summary = "Give up on a DEAD movement, with a reason")
    public Uni<Movement> dismiss(@RestPath long id, @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DismissRequest.class),
                    examples = @ExampleObject(name = "example", value = DismissRequest.EXAMPLE)))
                    @NotNull @Valid DismissRequest body) {
        String reason = body.reason();
        String by = current.get().label();
        return visible(id).chain(() -> repo.dismiss(id, reason, by)).chain(m -> m != null ? Uni.createFrom().item(m) : visible(id).map(existing -> {
            if (existing.dismissedAt() != null) {
                throw ApiException.conflict("already_dismissed", "Movement " + id + " was already dismissed at "
                        + existing.dismissedAt() + " (reason: " + existing.dismissedReason() + ").");
            }
            throw ApiException.conflict("movement_not_dead", "Movement " + id + " is " + existing.status()
                    + ": only a DEAD movement can be dismissed.");
        }));
    }

    /** What a bulk action did: how many DEAD movements matched its filters, and which ones it changed. */
    @RegisterForReflection
    public record BulkOutcome(long matched, int changed, List<Long> ids) {
        static BulkOutcome of(MovementRepository.BulkResult r) {
            return new BulkOutcome(r.matched(), r.changed().size(), r.changed());
        }
    }

    /**
     * Every DEAD movement of a store that matches the filters (the same {@code sku} and {@code error} as the list), back
     * to PENDING with a fresh budget: once Contifico is back, or the product fixed, an operator retries all the sales an
     * outage killed in one go. Dismissed movements are left alone. With {@code expected} (the count the operator saw),
     * nothing changes unless exactly that many match: 409 {@code selection_changed}.
     */
    @POST
    @Path("/retry")
    @Operation(summary = "Retry every undismissed DEAD movement of a store matching the filters")
    public Uni<BulkOutcome> retryAll(@RestQuery Long storeId, @RestQuery String sku, @RestQuery String error,
                                     @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                             schema = @Schema(implementation = BulkRetryRequest.class),
                                             examples = @ExampleObject(name = "example", value = BulkRetryRequest.EXAMPLE)))
                                     @Valid BulkRetryRequest body) {
        MovementRepository.DeadSelection selection = selection(storeId, sku, error);
        // No body is fine here: a retry needs no reason.
        Integer expected = body == null ? null : body.expected();
        return repo.retryAll(selection, expected).map(r -> checked(r, expected));
    }

    /**
     * Every DEAD, not yet dismissed movement of a store that matches the filters, dismissed with one reason (kept on
     * each). {@code expected} as for the bulk retry.
     */
    @POST
    @Path("/dismiss")
    @Operation(summary = "Dismiss every undismissed DEAD movement of a store matching the filters, with one reason")
    public Uni<BulkOutcome> dismissAll(@RestQuery Long storeId, @RestQuery String sku, @RestQuery String error,
                                       @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                               schema = @Schema(implementation = BulkDismissRequest.class),
                                               examples = @ExampleObject(name = "example", value = BulkDismissRequest.EXAMPLE)))
                                       @NotNull @Valid BulkDismissRequest body) {
        MovementRepository.DeadSelection selection = selection(storeId, sku, error);
        return repo.dismissAll(selection, body.expected(), body.reason(), current.get().label())
                .map(r -> checked(r, body.expected()));
    }

    /** A bulk action names one store: an admin says which (never "all stores" by omission); a store token its own. */
    private MovementRepository.DeadSelection selection(Long storeId, String sku, String error) {
        Long store = current.get().storeFilter(storeId);
        if (store == null) {
            throw ApiException.invalidField("storeId", "is required: a bulk action applies to one store");
        }
        current.get().requireStore(store);
        return new MovementRepository.DeadSelection(store, filterText("sku", sku), filterText("error", error));
    }

    private static BulkOutcome checked(MovementRepository.BulkResult r, Integer expected) {
        if (expected != null && r.matched() != expected) {
            throw ApiException.conflict("selection_changed", r.matched() + " DEAD movement(s) match these filters now, not "
                    + expected + ": nothing was changed. Review the list and try again.");
        }
        return BulkOutcome.of(r);
    }

    /** An optional text filter: blank is no filter; a NUL (PostgreSQL refuses it) or a novel is a clear 400. */
    static String filterText(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        if (text.indexOf('\0') >= 0 || text.length() > FILTER_MAX) {
            throw ApiException.invalidField(field, "must be at most " + FILTER_MAX + " characters, without NUL");
        }
        return text;
    }

    /** Strict, unlike JAX-RS' Boolean conversion, which reads any word but "true" as false. */
    static Boolean optionalBoolean(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.trim().toLowerCase()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ApiException.invalidField(field, "must be true or false");
        };
    }
}
