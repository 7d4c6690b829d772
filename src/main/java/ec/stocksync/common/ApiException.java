package ec.stocksync.common;

/**
 * A failure the caller can act on: it becomes {@code {"error": code, "message": message}} with the given status.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException invalidField(String field, String message) {
        return new ApiException(400, "invalid_field", field + ": " + message);
    }

    /** A URL changed without its credential: the stored one is never sent to a new address. */
    public static ApiException credentialRequired(String credentialField, String urlField) {
        return new ApiException(400, "credential_required", credentialField + ": send it again in the same request to change "
                + urlField + "; the stored one is never sent to a new address. Nothing was changed.");
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    /** The one answer for a store id that does not exist. */
    public static ApiException storeNotFound(long storeId) {
        return notFound("store_not_found", "No store with id " + storeId + ".");
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    /** The service cannot take this on right now; the same request later may succeed. */
    public static ApiException unavailable(String code, String message) {
        return new ApiException(503, code, message);
    }
}
