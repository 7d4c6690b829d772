package ec.stocksync.contifico;

/** Contifico movement types the service books: {@code EGR} for a sale, {@code ING} for a restock. */
public enum MovementType {
    ING, EGR
}
