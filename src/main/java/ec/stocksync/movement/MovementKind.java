package ec.stocksync.movement;

/** What a movement does to stock: a SALE is pushed to Contifico as an EGR, a RESTOCK as an ING. */
public enum MovementKind {
    SALE, RESTOCK
}
