package ec.stocksync.status;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * One SKU of a store as the merchant sees it (the DESIGN contract's sync-status row). {@code deadMovements} counts the
 * DEAD movements no operator dismissed yet; {@code reservedUnits} is what those never-pushed sales keep off sale (sales
 * minus restocks), the figure pulls hold back until each is retried or dismissed.
 */
@RegisterForReflection
public record SyncStatusRow(String sku, String name, Integer storeStock, BigDecimal contificoStock, SyncStatus status,
                            OffsetDateTime lastUpdatedAt, String trigger, int pendingMovements, String lastError,
                            int deadMovements, int reservedUnits) {
}
