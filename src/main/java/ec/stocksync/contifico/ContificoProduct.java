package ec.stocksync.contifico;

import java.math.BigDecimal;

/** A Contifico product as the client exposes it. {@code cantidadStock} may be negative and its scope is undocumented. */
public record ContificoProduct(String id, String codigo, String nombre, BigDecimal cantidadStock, String estado,
                               boolean paraPos, String tipo, BigDecimal pvp1, BigDecimal minimo, Integer porcentajeIva,
                               String codigoBarra, String categoriaId) {
}
