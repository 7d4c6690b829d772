package ec.stocksync.contifico;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

import java.util.function.Consumer;

/**
 * Bounds what one Contifico answer may put in memory. The REST client buffers a whole body before it hands the
 * response over, and has no size limit of its own, so this hooks the Vert.x request it is about to send (the builder's
 * request customizer): a declared {@code Content-Length} over the limit, or chunks adding up past it, reset the
 * stream with {@link TooLarge}, which {@link ContificoErrors} turns into a bad answer (or an unknown outcome for the
 * movement POST). The chunk handler sits beside the client's own body handler: Vert.x feeds every chunk to both.
 */
final class ContificoBodyLimit implements Consumer<HttpClientRequest> {

    private final long limit;

    ContificoBodyLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public void accept(HttpClientRequest request) {
        request.response().onSuccess(response -> {
            String declared = response.getHeader("Content-Length");
            String length = declared == null ? "" : declared.trim();
            // 19 digits and more would overflow a long, and are over any limit anyway.
            if (!length.isEmpty() && length.chars().allMatch(Character::isDigit)
                    && (length.length() >= 19 || Long.parseLong(length) > limit)) {
                cutOff(request, response);
                return;
            }
            long[] seen = {0};
            response.handler(chunk -> {
                seen[0] += chunk.length();
                if (seen[0] > limit) {
                    cutOff(request, response);
                }
            });
        });
    }

    private void cutOff(HttpClientRequest request, HttpClientResponse response) {
        // The client's body handler gets the failure; without a handler of its own the response would also log it
        // as an unhandled error.
        response.exceptionHandler(e -> { });
        request.reset(0, new TooLarge(limit, response.statusCode()));
    }

    /** The answer was cut off at {@code limit} bytes. */
    static final class TooLarge extends RuntimeException {
        private final long limit;
        private final int status;

        TooLarge(long limit, int status) {
            super("Contifico's answer (HTTP " + status + ") is over " + limit + " bytes", null, false, false);
            this.limit = limit;
            this.status = status;
        }

        long limit() {
            return limit;
        }

        int status() {
            return status;
        }
    }
}
