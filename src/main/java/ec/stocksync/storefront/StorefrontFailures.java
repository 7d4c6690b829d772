package ec.stocksync.storefront;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** What a failed storefront exchange means, as a {@link StorefrontException} typed by what the caller should do next. */
final class StorefrontFailures {

    private StorefrontFailures() {
    }

    /**
     * A failure with no answer. The REST client wraps the cause (in a {@code ProcessingException}), so the chain is
     * searched. A refused connection is checked first: Netty's connect timeout is a {@code ConnectException}, and a
     * request that never left is not "outcome unknown".
     */
    static StorefrontException transport(String what, Throwable t) {
        if (t instanceof StorefrontException se) {
            return se;
        }
        if (causedBy(t, ConnectException.class)) {
            return StorefrontException.unavailable(0, "connection_refused", what + " could not connect: " + message(t), t);
        }
        if (causedBy(t, TimeoutException.class) || namedTimeout(t)) {
            return new StorefrontException(StorefrontException.Kind.TIMEOUT, 0, "timeout", what + " timed out: " + message(t), null, t);
        }
        return StorefrontException.unavailable(0, "connection_lost", what + " failed in transit: " + message(t), t);
    }

    /** Status handling common to both platforms; {@code code}/{@code message} come from the platform's error body. */
    static StorefrontException status(StorefrontResponse response, String code, String message) {
        int status = response.status();
        if (status == 401 || status == 403) {
            return StorefrontException.auth(status, code, message);
        }
        if (status == 429) {
            return StorefrontException.rateLimited(status, code, message, response.retryAfter());
        }
        if (status >= 500) {
            return new StorefrontException(StorefrontException.Kind.UNAVAILABLE, status, code, message, response.retryAfter(), null);
        }
        if (status == 404) {
            return new StorefrontException(StorefrontException.Kind.NOT_FOUND, status, code, message);
        }
        return StorefrontException.rejected(status, code, message);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Vert.x and Netty name their timeouts (NoStackTraceTimeoutException, ReadTimeoutException) without one common type. */
    private static boolean namedTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message: the wrappers' own say only "ProcessingException". */
    private static String message(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }
}
