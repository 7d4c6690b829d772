package ec.stocksync.sync;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Contifico's change signals: which SKUs a delta pull reads. */
@ApplicationScoped
public class DeltaSignals {

    Uni<List<StockCache.MappedSku>> changedSkus(RunState run) {
        return Uni.createFrom().failure(new SyncService.RunFailed("delta pulls are not available yet"));
    }

    Uni<Void> recordBaseline(RunState run) {
        return Uni.createFrom().voidItem();
    }
}
