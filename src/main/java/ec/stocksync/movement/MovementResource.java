package ec.stocksync.movement;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.Paging;
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

/** The queue as operators see it: what is waiting, what died and why, and a way to try a dead one again. */
@Path("/api/movements")
@Produces(MediaType.APPLICATION_JSON)
public class MovementResource {

    @Inject
    Pool pool;
    @Inject
    MovementRepository repo;

    @RegisterForReflection
    public record Page(List<Movement> items, int page, int size, long total) {
    }

    @GET
    public Uni<Page> list(@RestQuery String storeId, @RestQuery String status, @RestQuery String sku,
                          @RestQuery String page, @RestQuery String size) {
        Paging paging = Paging.parse(page, size);
        Long store = Paging.optionalNumber("storeId", storeId);
        if (status != null && Arrays.stream(MovementStatus.values()).noneMatch(v -> v.name().equals(status))) {
            throw ApiException.invalidField("status", "must be one of " + Arrays.toString(MovementStatus.values()));
        }
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
        if (sku != null && !sku.isBlank()) {
            args.add(sku.trim());
            where.append(" AND sku = $").append(args.size());
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
        return repo.find(id).map(m -> {
            if (m == null) {
                throw ApiException.notFound("movement_not_found", "No movement with id " + id + ".");
            }
            return m;
        });
    }

    /** A DEAD movement back to PENDING with a fresh retry budget (e.g. once Contifico is back, or the SKU fixed). */
    @POST
    @Path("/{id}/retry")
    public Uni<Movement> retry(@RestPath long id) {
        return repo.retry(id).chain(m -> m != null ? Uni.createFrom().item(m) : repo.find(id).map(existing -> {
            if (existing == null) {
                throw ApiException.notFound("movement_not_found", "No movement with id " + id + ".");
            }
            throw ApiException.conflict("movement_not_dead", "Movement " + id + " is " + existing.status()
                    + ": only a DEAD movement can be retried.");
        }));
    }
}
