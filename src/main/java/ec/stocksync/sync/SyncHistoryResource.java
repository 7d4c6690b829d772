package ec.stocksync.sync;

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

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/** The per-SKU sync log: what each pull saw and did. */
@Path("/api/sync-logs")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class SyncHistoryResource {

    @Inject
    CurrentCaller current;
    @Inject
    SyncLogs logs;

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
        return logs.page(store, sku, paging.size(), paging.offset())
                .map(p -> new Page<>(p.items(), paging.page(), paging.size(), p.total()));
    }

}
