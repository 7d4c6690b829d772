package ec.stocksync.storefront;

import java.time.Duration;

/** A storefront call that failed, typed by what the caller should do next. */
public class StorefrontException extends RuntimeException {

    public enum Kind {
        /** The SKU or id does not exist on the storefront: do not retry; fix the mapping. */
        NOT_FOUND(false),
        /** The storefront refused the request (4xx, userErrors, GraphQL errors): retrying the same request cannot help. */
        REJECTED(false),
        /** Credentials refused (401/403): retrying cannot help until the store's credentials are fixed. */
        AUTH(false),
        /** Compare-and-set kept failing because the stock moved under us: re-read and decide again. */
        CONFLICT(false),
        /** 5xx, refused or dropped connection: transient. */
        UNAVAILABLE(true),
        /** 429 or GraphQL THROTTLED: transient; {@link #retryAfter()} says how long the storefront asked us to wait. */
        RATE_LIMITED(true),
        /** No complete answer within the configured timeout: transient; a write may or may not have been applied. */
        TIMEOUT(true);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }
    }

    private final Kind kind;
    private final int httpStatus;
    private final String code;
    private final Duration retryAfter;

    public StorefrontException(Kind kind, int httpStatus, String code, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public StorefrontException(Kind kind, int httpStatus, String code, String message) {
        this(kind, httpStatus, code, message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind.retryable;
    }

    /** HTTP status of the answer, 0 when there was none (timeout, connection failure). */
    public int httpStatus() {
        return httpStatus;
    }

    /** The platform's error code when it sent one (WooCommerce {@code code}, Shopify userError/extension code). */
    public String code() {
        return code;
    }

    /** How long the storefront asked us to wait, or {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public static StorefrontException notFound(String message) {
        return new StorefrontException(Kind.NOT_FOUND, 404, "not_found", message);
    }

    public static StorefrontException rejected(int status, String code, String message) {
        return new StorefrontException(Kind.REJECTED, status, code, message);
    }

    public static StorefrontException auth(int status, String code, String message) {
        return new StorefrontException(Kind.AUTH, status, code, message);
    }

    public static StorefrontException conflict(String code, String message) {
        return new StorefrontException(Kind.CONFLICT, 200, code, message);
    }

    public static StorefrontException unavailable(int status, String code, String message, Throwable cause) {
        return new StorefrontException(Kind.UNAVAILABLE, status, code, message, null, cause);
    }

    public static StorefrontException rateLimited(int status, String code, String message, Duration retryAfter) {
        return new StorefrontException(Kind.RATE_LIMITED, status, code, message, retryAfter, null);
    }

    public static StorefrontException timeout(String message) {
        return new StorefrontException(Kind.TIMEOUT, 0, "timeout", message);
    }
}
