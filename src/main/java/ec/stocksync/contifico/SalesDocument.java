package ec.stocksync.contifico;

import java.time.LocalDate;
import java.util.List;

/**
 * A Contifico sales document (invoice FAC, sales note NVE, pre-invoice PRE...), as a change signal: its lines name the
 * products it sold. {@code fecha} is the issue date ({@code fecha_emision}); null when Contifico sent none readable.
 * Whether a document lowered stock is contradictory in public evidence, so its lines say "look at this product", not
 * "subtract this".
 */
public record SalesDocument(String id, String tipo, LocalDate fecha, String bodegaId, List<MovementLine> detalles) {
}
