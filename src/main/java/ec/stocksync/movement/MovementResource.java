package ec.stocksync.movement;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.JsonFields;
import ec.stocksync.common.Paging;
import ec.stocksync.common.StoreScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The queue as operators see it: what is waiting, what died and why, a way to try a dead one again, and a way to give
 * up on one (its units stop being reserved).
 */
@Path("/api/movements")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class MovementResource {

    static final int REASON_MIN = 3;
    static final int REASON_MAX = 500;
    static final int FILTER_MAX = 200;

    @Inject
    Pool pool;
    @Inject
    MovementRepository repo;
    @Inject
    CurrentCaller current;

    @RegisterForReflection
    public record Page(List<Movement> items, int page, int size, long total) {
    }

    @GET
    public Uni<Page> list(@RestQuery String storeId, @RestQuery String status, @RestQuery String sku,
                          @RestQuery String dismissed, @RestQuery String error, @RestQuery String page,
                          @RestQuery String size) {
        Paging paging = Paging.parse(page, size);
        Long store = current.get().storeFilter(Paging.optionalNumber("storeId", storeId));
        if (status != null && Arrays.stream(MovementStatus.values()).noneMatch(v -> v.name().equals(status))) {
            throw ApiException.invalidField("status", "must be one of " + Arrays.toString(MovementStatus.values()));
        }
        Boolean dismissedFilter = optionalBoolean("dismissed", dismissed);
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE TRUE");
        if (store != null) {
            args.add(store);
            where.append(" AND store_id = $").append(args.size());
        }
        if (status != null) {
            args.add(status);
            where.append(" AND status = $").append(args.size());
        }
        String skuFilter = filterText("sku", sku);
        if (skuFilter != null) {
            args.add(skuFilter);
            where.append(" AND sku = $").append(args.size());
        }
        if (dismissedFilter != null) {
            where.append(dismissedFilter ? " AND dismissed_at IS NOT NULL" : " AND dismissed_at IS NULL");
        }
        String errorPattern = new MovementRepository.DeadSelection(0, null, filterText("error", error)).errorPattern();
        if (errorPattern != null) {
            args.add(errorPattern);
            where.append(" AND last_error ILIKE $").append(args.size());
        }
        String filter = where.toString();
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(paging.size());
        pageArgs.add(paging.offset());
        Uni<List<Movement>> items = pool.preparedQuery("SELECT " + Movement.COLUMNS + " FROM inventory_movements_queue"
                        + filter + " ORDER BY id DESC LIMIT $" + (args.size() + 1) + " OFFSET $" + (args.size() + 2))
                .execute(Tuple.from(pageArgs)).map(MovementRepository::list);
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM inventory_movements_queue" + filter)
                .execute(Tuple.from(args)).map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new Page(t.getItem1(), paging.page(), paging.size(), t.getItem2()));
    }

    @GET
    @Path("/{id}")
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
    public Uni<Movement> dismiss(@RestPath long id, JsonNode body) {
        String reason = reason(JsonFields.of(body, Set.of("reason")));
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
    public Uni<BulkOutcome> retryAll(@RestQuery String storeId, @RestQuery String sku, @RestQuery String error,
                                     JsonNode body) {
        MovementRepository.DeadSelection selection = selection(storeId, sku, error);
        // No body is fine here: a retry needs no reason.
        Integer expected = body == null || body.isNull() || body.isMissingNode() ? null
                : expected(JsonFields.of(body, Set.of("expected")));
        return repo.retryAll(selection, expected).map(r -> checked(r, expected));
    }

    /**
     * Every DEAD, not yet dismissed movement of a store that matches the filters, dismissed with one reason (kept on
     * each). {@code expected} as for the bulk retry.
     */
    @POST
    @Path("/dismiss")
    public Uni<BulkOutcome> dismissAll(@RestQuery String storeId, @RestQuery String sku, @RestQuery String error,
                                       JsonNode body) {
        JsonFields fields = JsonFields.of(body, Set.of("reason", "expected"));
        String reason = reason(fields);
        MovementRepository.DeadSelection selection = selection(storeId, sku, error);
        Integer expected = expected(fields);
        return repo.dismissAll(selection, expected, reason, current.get().label()).map(r -> checked(r, expected));
    }

    /** A bulk action names one store: an admin says which (never "all stores" by omission); a store token its own. */
    private MovementRepository.DeadSelection selection(String storeId, String sku, String error) {
        Long store = current.get().storeFilter(Paging.optionalNumber("storeId", storeId));
        if (store == null) {
            throw ApiException.invalidField("storeId", "is required: a bulk action applies to one store");
        }
        current.get().requireStore(store);
        String skuFilter = filterText("sku", sku);
        return new MovementRepository.DeadSelection(store, skuFilter, filterText("error", error));
    }

    private static Integer expected(JsonFields fields) {
        Long expected = fields.wholeNumber("expected", 0, Integer.MAX_VALUE);
        return expected == null ? null : expected.intValue();
    }

    private static BulkOutcome checked(MovementRepository.BulkResult r, Integer expected) {
        if (expected != null && r.matched() != expected) {
            throw ApiException.conflict("selection_changed", r.matched() + " DEAD movement(s) match these filters now, not "
                    + expected + ": nothing was changed. Review the list and try again.");
        }
        return BulkOutcome.of(r);
    }

    private static String reason(JsonFields fields) {
        String reason = fields.requiredText("reason");
        int length = reason.codePointCount(0, reason.length());
        if (length < REASON_MIN || length > REASON_MAX) {
            throw ApiException.invalidField("reason", "must be " + REASON_MIN + " to " + REASON_MAX + " characters");
        }
        return reason;
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

    /** Query parameters come in as text: JAX-RS would answer a malformed boolean with a bare 404. */
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
