package ec.stocksync.sync;

import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.Paging;
import ec.stocksync.common.StoreScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestQuery;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The per-SKU sync log: what each pull saw and did. */
@Path("/api/sync-logs")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class SyncHistoryResource {

    @Inject
    CurrentCaller current;
    @Inject
    Pool pool;

    @RegisterForReflection
    public record SyncLog(long id, long storeId, String sku, String trigger, String action, BigDecimal contificoStock,
                          Integer storeStockBefore, Integer storeStockAfter, String error, Long pullRunId,
                          Long movementId, OffsetDateTime createdAt) {
    }

    @RegisterForReflection
    public record Page<T>(List<T> items, int page, int size, long total) {
    }

    @GET
    @Operation(summary = "The per-SKU sync log, newest first")
    public Uni<Page<SyncLog>> syncLogs(@RestQuery Long storeId, @RestQuery String sku,
                                       @RestQuery @Min(value = 0, message = Paging.PAGE_RULE) Integer page,
                                       @RestQuery @Min(value = 1, message = Paging.SIZE_RULE) @Max(value = Paging.MAX_SIZE, message = Paging.SIZE_RULE) Integer size) {
        Paging paging = Paging.of(page, size);
        Long store = current.get().storeFilter(storeId);
        // Null filters match everything; the planner keeps the (store_id, sku, created_at) index for the usual case.
        String filter = " WHERE ($1::bigint IS NULL OR store_id = $1) AND ($2::text IS NULL OR sku = $2)";
        Uni<List<SyncLog>> items = pool.preparedQuery("SELECT * FROM sync_logs" + filter
                        + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4")
                .execute(Tuple.of(store, sku, paging.size(), paging.offset()))
                .map(rows -> {
                    List<SyncLog> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new SyncLog(r.getLong("id"), r.getLong("store_id"), r.getString("sku"),
                                r.getString("trigger"), r.getString("action"), r.getBigDecimal("contifico_stock"),
                                r.getInteger("store_stock_before"), r.getInteger("store_stock_after"),
                                r.getString("error"), r.getLong("pull_run_id"), r.getLong("movement_id"),
                                r.getOffsetDateTime("created_at")));
                    }
                    return out;
                });
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM sync_logs" + filter)
                .execute(Tuple.of(store, sku)).map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new Page<>(t.getItem1(), paging.page(), paging.size(), t.getItem2()));
    }

}
