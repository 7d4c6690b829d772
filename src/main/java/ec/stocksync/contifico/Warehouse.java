package ec.stocksync.contifico;

/** A Contifico {@code bodega}. */
public record Warehouse(String id, String codigo, String nombre, boolean venta, boolean compra, boolean produccion) {
}
