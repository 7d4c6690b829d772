package ec.stocksync.contifico;

import java.math.BigDecimal;

/** A movement line. {@code cantidad} is positive (the direction comes from the type); {@code precio} is required for ING. */
public record MovementLine(String productoId, BigDecimal cantidad, BigDecimal precio) {
}
