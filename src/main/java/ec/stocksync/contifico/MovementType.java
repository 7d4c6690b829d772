package ec.stocksync.contifico;

/**
 * Contifico movement types. The service books {@code EGR} (a sale) and {@code ING} (a restock); {@code TRA} (a transfer
 * between warehouses) and {@code AJU} (a cost adjustment) are only read, e.g. as change signals.
 */
public enum MovementType {
    ING, EGR, TRA, AJU
}
