package ec.stocksync.contifico;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.contifico.ContificoException.Unavailable;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON mapping: Contifico's answers (read as trees) to the domain records, and a new movement to the body of its POST.
 * Answers are read field by field rather than bound to typed records because each field has its own verdict: a stock
 * figure that is missing or absurd fails that product ({@link BadAnswer}, DESIGN rule 9), while an unusable
 * informative figure reads as unknown and an unreadable date as null, and one odd field never fails a whole page.
 */
final class ContificoMapper {

    private static final Logger LOG = Logger.getLogger(ContificoMapper.class);
    static final DateTimeFormatter FECHA = DateTimeFormatter.ofPattern("dd/MM/yyyy");
    // Ten billion units: beyond any real stock, and within what the cache and the log store (NUMERIC(14,3)).
    private static final String MAX_ABS_TEXT = "10000000000";
    private static final BigDecimal MAX_ABS = new BigDecimal(MAX_ABS_TEXT);
    private static final int MAX_DECIMALS = 6;
    /** A sign, 13 digits, a point, 6 decimals and room for trailing zeros; anything longer is not a quantity. */
    private static final int MAX_DECIMAL_CHARS = 40;

    private ContificoMapper() {
    }

    /** The body of {@code POST /v1/movimiento-inventario/}; decimals as plain strings, as Contifico sends them. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MovementRequest(String tipo, String fecha, @JsonProperty("bodega_id") String bodegaId, String descripcion,
                           List<Line> detalles) {

        @RegisterForReflection
        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Line(@JsonProperty("producto_id") String productoId, String cantidad, String precio) {
        }
    }

    static MovementRequest request(NewMovement m, String warehouseId) {
        List<MovementRequest.Line> lines = new ArrayList<>();
        for (MovementLine l : m.detalles()) {
            lines.add(new MovementRequest.Line(l.productoId(), l.cantidad().toPlainString(),
                    l.precio() == null ? null : l.precio().toPlainString()));
        }
        return new MovementRequest(m.tipo().name(), FECHA.format(m.fecha()), warehouseId, m.descripcion(), lines);
    }

    /**
     * A product's figures are informative (the stock a pull publishes comes from the per-warehouse list): an unusable
     * one reads as unknown, so a sale of the product is still booked and a delta pull still flags it.
     */
    static ContificoProduct product(JsonNode n) {
        BigDecimal iva = informative(n, "porcentaje_iva");
        return new ContificoProduct(text(n, "id"), text(n, "codigo"), text(n, "nombre"), informative(n, "cantidad_stock"),
                text(n, "estado"), bool(n, "para_pos"), text(n, "tipo"), informative(n, "pvp1"), informative(n, "minimo"),
                iva == null ? null : iva.intValue(), text(n, "codigo_barra"), text(n, "categoria_id"));
    }

    static List<ContificoProduct> products(JsonNode json) {
        List<ContificoProduct> out = new ArrayList<>();
        for (JsonNode n : array(json)) {
            out.add(product(n));
        }
        return out;
    }

    static List<WarehouseStock> stock(JsonNode json) {
        List<WarehouseStock> out = new ArrayList<>();
        for (JsonNode n : array(json)) {
            out.add(new WarehouseStock(text(n, "bodega_id"), text(n, "bodega_nombre"), decimal(n, "cantidad")));
        }
        return out;
    }

    static List<Warehouse> warehouses(JsonNode json) {
        List<Warehouse> out = new ArrayList<>();
        for (JsonNode n : array(json)) {
            out.add(new Warehouse(text(n, "id"), text(n, "codigo"), text(n, "nombre"), bool(n, "venta"),
                    bool(n, "compra"), bool(n, "produccion")));
        }
        return out;
    }

    static List<SalesDocument> documents(JsonNode json) {
        List<SalesDocument> out = new ArrayList<>();
        for (JsonNode n : array(json)) {
            out.add(document(n));
        }
        return out;
    }

    /** One page of a v2 movement list: its movements and whether Contifico announces a next page. */
    static MovementPage movementPage(JsonNode envelope) {
        List<Movement> results = new ArrayList<>();
        for (JsonNode n : array(envelope.path("results"))) {
            results.add(movement(n));
        }
        JsonNode next = envelope.get("next");
        return new MovementPage(results, next != null && !next.isNull() && !next.asText().isEmpty());
    }

    record MovementPage(List<Movement> results, boolean hasNext) {
    }

    static Movement movement(JsonNode n) {
        if (n == null || !n.isObject() || !n.hasNonNull("id")) {
            throw new BadAnswer("Contifico listed something that is not a movement: "
                    + UpstreamText.sanitize(String.valueOf(n)));
        }
        return new Movement(text(n, "id"), text(n, "codigo"), text(n, "tipo"), date(text(n, "fecha")), text(n, "bodega_id"),
                text(n, "bodega_destino_id"), text(n, "descripcion"), text(n, "estado"), decimal(n, "total"), lines(n));
    }

    private static SalesDocument document(JsonNode n) {
        if (n == null || !n.isObject() || !n.hasNonNull("id")) {
            throw new BadAnswer("Contifico listed something that is not a sales document: "
                    + UpstreamText.sanitize(String.valueOf(n)));
        }
        return new SalesDocument(text(n, "id"), text(n, "tipo_documento"), date(text(n, "fecha_emision")),
                text(n, "bodega_id"), List.copyOf(lines(n)));
    }

    private static List<MovementLine> lines(JsonNode n) {
        List<MovementLine> lines = new ArrayList<>();
        for (JsonNode l : array(n.path("detalles"))) {
            lines.add(new MovementLine(text(l, "producto_id"), decimal(l, "cantidad"), decimal(l, "precio")));
        }
        return lines;
    }

    private static BigDecimal informative(JsonNode n, String field) {
        try {
            return decimal(n, field);
        } catch (BadAnswer e) {
            LOG.warnf("Contifico product %s: %s", text(n, "id"), e.getMessage());
            return null;
        }
    }

    /** Dates are informative in lists (ids and lines are what matter): an unreadable one is null, not a failure. */
    private static LocalDate date(String f) {
        if (f == null) {
            return null;
        }
        try {
            return LocalDate.parse(f, FECHA);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Iterable<JsonNode> array(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new Unavailable("Contifico answered a " + n.getNodeType() + " where a list was expected", 200, false, null);
        }
        return n;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && (v.isBoolean() ? v.booleanValue() : "true".equalsIgnoreCase(v.asText()));
    }

    /** Contifico sends decimals as strings ("-5.0") except where it does not (stock lines): accept both. */
    static BigDecimal decimal(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : decimalOf(v, field);
    }

    /**
     * A decimal safe to compute with, or {@link BadAnswer}. No quantity or price Contifico holds is beyond
     * {@value #MAX_ABS_TEXT} or has more than {@value #MAX_DECIMALS} significant decimals; and a value such as
     * {@code 1E+999999999} parses cheaply but would make {@code setScale} or {@code toPlainString} build a billion
     * digits, so it must be refused before anyone rescales it.
     */
    static BigDecimal decimalOf(JsonNode v, String field) {
        BigDecimal d;
        if (v.isNumber()) {
            if ((v.isDouble() || v.isFloat()) && !Double.isFinite(v.doubleValue())) {
                throw unusable(field, v.asText(), "not a finite number");
            }
            d = v.decimalValue();
        } else if (v.isTextual()) {
            String t = v.textValue().trim();
            if (t.isEmpty()) {
                return null;
            }
            if (t.length() > MAX_DECIMAL_CHARS) {
                throw unusable(field, t, "too long for a quantity");
            }
            try {
                d = new BigDecimal(t);
            } catch (NumberFormatException e) {
                throw unusable(field, t, "not a number");
            }
        } else {
            throw unusable(field, v.toString(), "not a number");
        }
        if (d.signum() == 0) {
            return BigDecimal.ZERO; // 0E+999999999 is zero too: no caller should meet its exponent
        }
        // compareTo looks at the exponents before any digit, so this costs nothing even for 1E+999999999.
        if (d.abs().compareTo(MAX_ABS) > 0) {
            throw unusable(field, v.asText(), "beyond " + MAX_ABS_TEXT);
        }
        if (d.scale() > MAX_DECIMALS && d.stripTrailingZeros().scale() > MAX_DECIMALS) {
            throw unusable(field, v.asText(), "more than " + MAX_DECIMALS + " decimals");
        }
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    private static BadAnswer unusable(String field, String raw, String why) {
        String shown = UpstreamText.sanitize(raw.length() > 40 ? raw.substring(0, 40) + "..." : raw);
        return new BadAnswer("Contifico sent an unusable " + field + " '" + shown + "': " + why);
    }
}
