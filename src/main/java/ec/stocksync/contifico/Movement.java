package ec.stocksync.contifico;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A booked Contifico inventory movement. {@code codigo} looks like {@code EGR 202611000001}; estado {@code G} = generated.
 * {@code bodegaDestinoId} is the receiving warehouse of a transfer (TRA), null otherwise.
 */
public record Movement(String id, String codigo, String tipo, LocalDate fecha, String bodegaId, String bodegaDestinoId,
                       String descripcion, String estado, BigDecimal total, List<MovementLine> detalles) {
}
