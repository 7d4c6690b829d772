package ec.stocksync.webhook;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.StockSyncConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Enforces {@code stocksync.webhook.max-body-bytes} on webhook bodies while they are read, not after: the HTTP layer's
 * own limit (quarkus.http.limits.max-body-size) is the larger one the admin API needs, and checking a byte[] in the
 * resource meant buffering up to that much first. A declared Content-Length over the limit is refused before a byte of
 * body is read; a chunked body is counted as it arrives and refused as soon as it passes the limit. What was read is
 * handed to the REST layer as the request body (it reads RoutingContext#getBody when one is set).
 */
@ApplicationScoped
public class WebhookBodyLimit {

    @Inject
    StockSyncConfig config;

    /** Before the REST layer's route, which would otherwise read the body itself. */
    void install(@Observes Router router) {
        router.post("/webhooks/*").order(-1000).handler(this::readBounded);
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "payload_too_large", "The body is larger than the limit of " + limit + " bytes.");
    }

    private void readBounded(RoutingContext rc) {
        long limit = config.webhook().maxBodyBytes();
        HttpServerRequest request = rc.request();
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length > limit) {
                refuse(rc, limit);
                return;
            }
        }
        if (request.isEnded() || request.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            // HTTP/2 (h2c): the REST layer pauses the request when it starts, which Vert.x refuses on an HTTP/2 stream
            // already read to its end. There the declared length above, the outer max-body-size and the resource's own
            // check after reading apply; storefronts deliver over HTTP/1.1.
            rc.next();
            return;
        }
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if ((long) body.length() + chunk.length() > limit) {
                refused[0] = true;
                refuse(rc, limit);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> {
            if (!refused[0]) {
                ((RoutingContextInternal) rc).setBody(body);
                rc.next();
            }
        });
        request.exceptionHandler(e -> {
            if (!refused[0]) {
                refused[0] = true;
                rc.fail(e);
            }
        });
        request.resume();
    }

    /**
     * The connection is closed after the answer: the rest of an oversized body is never read, and a client that keeps
     * sending (a chunked stream has no end we can wait for) cannot hold the connection.
     */
    private static void refuse(RoutingContext rc, long limit) {
        ApiException e = tooLarge(limit);
        String json = new JsonObject().put("error", e.code()).put("message", e.getMessage()).encode();
        rc.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(json)
                .onComplete(x -> {
                    if (rc.request().connection() != null) {
                        rc.request().connection().close();
                    }
                });
    }
}
