package ec.stocksync.contifico;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * A movement to book in the connection's warehouse. {@code descripcion} must carry the caller's reference: Contifico has
 * no idempotency key, and that reference is how an outcome-unknown push is found again (DESIGN rule 2).
 */
public record NewMovement(MovementType tipo, LocalDate fecha, String descripcion, List<MovementLine> detalles) {

    /** Contifico's business dates are Ecuadorian. */
    public static final ZoneId CONTIFICO_ZONE = ZoneId.of("America/Guayaquil");

    public NewMovement {
        Objects.requireNonNull(tipo, "tipo");
        Objects.requireNonNull(fecha, "fecha");
        if (tipo != MovementType.ING && tipo != MovementType.EGR) {
            // A TRA needs a destination and a POS token this record cannot carry; Contifico answers a bare 500 without them.
            throw new IllegalArgumentException("the client books only ING and EGR movements, not " + tipo);
        }
        detalles = List.copyOf(detalles);
        for (MovementLine l : detalles) {
            if (l.cantidad() == null || l.cantidad().signum() <= 0) {
                throw new IllegalArgumentException("cantidad must be positive: the direction comes from tipo");
            }
            if (tipo == MovementType.ING && l.precio() == null) {
                throw new IllegalArgumentException("precio is required on every ING line");
            }
        }
    }

    public static LocalDate today() {
        return LocalDate.now(CONTIFICO_ZONE);
    }

    /** A sale: stock out of the warehouse. */
    public static NewMovement sale(String productId, BigDecimal quantity, String descripcion) {
        return new NewMovement(MovementType.EGR, today(), descripcion, List.of(new MovementLine(productId, quantity, null)));
    }

    /** A restock: stock into the warehouse. Contifico requires a price on ING lines; 0 is accepted. */
    public static NewMovement restock(String productId, BigDecimal quantity, BigDecimal precio, String descripcion) {
        return new NewMovement(MovementType.ING, today(), descripcion,
                List.of(new MovementLine(productId, quantity, precio == null ? BigDecimal.ZERO : precio)));
    }
}
