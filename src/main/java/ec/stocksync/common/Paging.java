package ec.stocksync.common;

/**
 * Page and size of a listing, the same on every endpoint: page 0-based, size 1 to a maximum, default 50. The
 * endpoints take them as typed query parameters whose bounds Bean Validation checks ({@link #PAGE_RULE} and the
 * size rules); a value that is not a number is answered by {@code ErrorMapper}.
 */
public record Paging(int page, int size) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;

    public static final String PAGE_RULE = "must be 0 or more";
    public static final String SIZE_RULE = "must be between 1 and " + MAX_SIZE;

    /** Typed parameters, already within their bounds: absent means the first page of the default size. */
    public static Paging of(Integer page, Integer size) {
        return new Paging(page == null ? 0 : page, size == null ? DEFAULT_SIZE : size);
    }

    public long offset() {
        return (long) page * size;
    }
}
