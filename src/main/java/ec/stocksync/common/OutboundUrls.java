package ec.stocksync.common;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.util.Map;

/** {@link OutboundUrlPolicy} for request handlers: the DNS look-up is blocking, so it runs on a worker thread. */
@ApplicationScoped
public class OutboundUrls {

    private final OutboundUrlPolicy policy;
    private final Vertx vertx;

    @Inject
    public OutboundUrls(OutboundConfig config, Vertx vertx) {
        this.policy = new OutboundUrlPolicy(config, InetAddress::getAllByName);
        this.vertx = vertx;
    }

    /**
     * Checks each field's URL; fails with the first refusal. executeBlocking (rather than emitOn a worker pool)
     * resumes on the caller's Vert.x context, which the Hibernate Reactive session chained after it requires.
     */
    public Uni<Void> check(Map<String, String> urlsByField) {
        if (urlsByField.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            urlsByField.forEach(policy::check);
            return (Void) null;
        }), false);
    }
}
