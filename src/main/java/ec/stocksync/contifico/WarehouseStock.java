package ec.stocksync.contifico;

import java.math.BigDecimal;

/** One line of {@code /producto/{id}/stock/}. */
public record WarehouseStock(String bodegaId, String bodegaNombre, BigDecimal cantidad) {
}
