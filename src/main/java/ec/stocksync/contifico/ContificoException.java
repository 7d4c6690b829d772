package ec.stocksync.contifico;

import java.time.Duration;

/**
 * A failed Contifico call, typed by what the caller should do next:
 * <ul>
 * <li>{@link Rejected}: Contifico refused the request (4xx). Retrying the same request cannot help.</li>
 * <li>{@link NotFound}: the SKU or id is not listed. Not retryable; for a SKU, usually {@code para_pos: false}.</li>
 * <li>{@link Unavailable}: nothing was booked (refused before sending, 5xx/timeout on a read, 429, breaker open). Retry later.</li>
 * <li>{@link OutcomeUnknown}: a movement POST was sent and may have been booked. Look the reference up before any re-send.</li>
 * <li>{@link BadAnswer}: Contifico answered, but with something that must not be used (a stock figure that is missing
 * or absurd). Asking again gets the same answer, and Contifico is not down.</li>
 * </ul>
 */
public abstract sealed class ContificoException extends RuntimeException
        permits ContificoException.Rejected, ContificoException.NotFound, ContificoException.Unavailable,
        ContificoException.OutcomeUnknown, ContificoException.BadAnswer {

    private final int status;

    protected ContificoException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status Contifico answered, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** True when the same request may simply be sent again later. */
    public abstract boolean isRetryable();

    /** True when a movement may have been booked although we saw a failure. */
    public boolean outcomeUnknown() {
        return false;
    }

    /** Whether this failure says Contifico itself is unwell (it then counts against the circuit breaker). */
    boolean countsAsOutage() {
        return false;
    }

    public static final class Rejected extends ContificoException {
        private final String mensaje;
        private final Integer codError;

        public Rejected(int status, String mensaje, Integer codError) {
            super("Contifico rejected the request (HTTP " + status + (codError == null ? "" : ", cod_error " + codError)
                    + "): " + mensaje, status, null);
            this.mensaje = mensaje;
            this.codError = codError;
        }

        public String mensaje() {
            return mensaje;
        }

        public Integer codError() {
            return codError;
        }

        @Override
        public boolean isRetryable() {
            return false;
        }
    }

    public static final class NotFound extends ContificoException {
        private final String sku;

        private NotFound(String message, String sku) {
            super(message, 404, null);
            this.sku = sku;
        }

        public static NotFound sku(String sku) {
            return new NotFound("SKU '" + sku + "' is not listed by Contifico. Its v1 product search only lists products "
                    + "with para_pos: true: check that the product exists with this exact code and is enabled for the "
                    + "point of sale (para_pos).", sku);
        }

        /** Contifico lists more than one product with the SKU as its code: none is taken. */
        public static NotFound ambiguous(String sku, java.util.List<String> productIds) {
            return new NotFound("Contifico lists " + productIds.size() + " products with code '" + sku + "' (ids "
                    + String.join(", ", productIds) + "): none is guessed. Link the SKU to one of them by hand"
                    + " (PUT /api/stores/{id}/sku-links/{sku}) or make the codes unique in Contifico.", sku);
        }

        /** The product of the SKU's code is linked by hand to another storefront SKU. */
        public static NotFound linkedElsewhere(String sku, String productId, String otherSku) {
            return new NotFound("Contifico's product with code '" + sku + "' (id " + productId + ") is linked by hand to"
                    + " storefront SKU '" + otherSku + "': it is not also taken for '" + sku + "'. Link '" + sku
                    + "' to another product, or mark it not synced.", sku);
        }

        public static NotFound product(String productId) {
            return new NotFound("Contifico has no product with id '" + productId + "'.", null);
        }

        /** The SKU looked up, or null when an id was not found. */
        public String sku() {
            return sku;
        }

        @Override
        public boolean isRetryable() {
            return false;
        }
    }

    public static final class Unavailable extends ContificoException {
        private final boolean circuitOpen;
        private final Duration retryAfter;

        public Unavailable(String message, int status, boolean circuitOpen, Throwable cause) {
            this(message, status, circuitOpen, cause, null);
        }

        public Unavailable(String message, int status, boolean circuitOpen, Throwable cause, Duration retryAfter) {
            super(message, status, cause);
            this.circuitOpen = circuitOpen;
            this.retryAfter = retryAfter;
        }

        /** How long Contifico asked us to wait (a 429's Retry-After, at most 10 minutes), or null when it did not say. */
        public Duration retryAfter() {
            return retryAfter;
        }

        /** True when the call was not even attempted because the integration's breaker is open. */
        public boolean circuitOpen() {
            return circuitOpen;
        }

        @Override
        public boolean isRetryable() {
            return true;
        }

        @Override
        boolean countsAsOutage() {
            return !circuitOpen;
        }
    }

    /**
     * A readable 2xx whose content cannot be trusted. It fails the one product or list concerned instead of letting a
     * guess through: a missing figure read as 0 would publish 0 to the store (DESIGN rule 9).
     */
    public static final class BadAnswer extends ContificoException {
        public BadAnswer(String message) {
            super(message, 200, null);
        }

        public static BadAnswer warehouseNotListed(String warehouseId, String productId) {
            return new BadAnswer("warehouse " + warehouseId + " is not in Contifico's stock list of product " + productId
                    + ": the warehouse is not linked to a point of sale");
        }

        /** The same data comes back until someone fixes it in Contifico. */
        @Override
        public boolean isRetryable() {
            return false;
        }

        // countsAsOutage() stays false: Contifico answered, so this says nothing about its health.
    }

    public static final class OutcomeUnknown extends ContificoException {
        public OutcomeUnknown(String message, int status, Throwable cause) {
            super(message, status, cause);
        }

        /** Retryable only after the reference lookup found nothing: never blindly. */
        @Override
        public boolean isRetryable() {
            return false;
        }

        @Override
        public boolean outcomeUnknown() {
            return true;
        }

        @Override
        boolean countsAsOutage() {
            return true;
        }
    }
}
