package ec.stocksync.common;

/**
 * Page and size of a listing, read and validated the same way on every endpoint: page 0-based, size 1 to a maximum,
 * default 50. Query parameters come in as text, because JAX-RS answers a malformed number with a bare 404.
 */
public record Paging(int page, int size) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;

    public static Paging parse(String page, String size) {
        return parse(page, size, MAX_SIZE);
    }

    public static Paging parse(String page, String size, int maxSize) {
        long p = page == null || page.isBlank() ? 0 : wholeNumber("page", page);
        long s = size == null || size.isBlank() ? DEFAULT_SIZE : wholeNumber("size", size);
        if (p < 0 || p > Integer.MAX_VALUE) {
            throw ApiException.invalidField("page", "must be 0 or more");
        }
        if (s < 1 || s > maxSize) {
            throw ApiException.invalidField("size", "must be between 1 and " + maxSize);
        }
        return new Paging((int) p, (int) s);
    }

    /** An optional whole-number query parameter; null when absent. */
    public static Long optionalNumber(String field, String value) {
        return value == null || value.isBlank() ? null : wholeNumber(field, value);
    }

    private static long wholeNumber(String field, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalidField(field, "must be a whole number");
        }
    }

    public long offset() {
        return (long) page * size;
    }
}
