package ec.stocksync.contifico;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Transport: the REST clients of each integration, built from its connection (base URL, key) and cached under the
 * integration id with what they were built from. A connection that differs (a new URL or key) gets new clients and
 * the replaced ones are closed: builder-made clients hold a Vert.x HTTP client and leak if never closed.
 *
 * <p>Two clients per integration, one per call kind, because the builder's read timeout is per client: reads get
 * {@code read-timeout}, the movement POST {@code write-timeout}. That timeout is the backstop that resets a silent
 * stream; the caller's own deadline per exchange ({@link ContificoExchange}) is the same figure.
 */
@ApplicationScoped
public class ContificoApis {

    private static final Logger LOG = Logger.getLogger(ContificoApis.class);

    private final ContificoConfig config;
    private final Map<Long, Clients> clients = new ConcurrentHashMap<>();

    public ContificoApis(ContificoConfig config) {
        this.config = config;
    }

    /** The read and write clients of one integration, and the key they were built for. */
    record Clients(Key key, ContificoApi reads, ContificoApi writes) {
        void close() {
            quietly(reads);
            quietly(writes);
        }
    }

    /** What a client was built from; the key enters only as a fingerprint, so no map holds it twice. */
    record Key(String baseUrl, String keyFingerprint) {
        static Key of(ContificoConnection c) {
            return new Key(c.baseUrl(), fingerprint(c.apiKey()));
        }
    }

    /** The client for one call, and what to do once the call is over. */
    record Lease(ContificoApi api, Runnable release) {
    }

    /**
     * The integration's client for the call's kind ({@code write}: the movement POST), built if need be. An
     * integration checked before it is saved has no id to cache under: its call gets a client of its own, closed on
     * release (the REST client has buffered the answer by then).
     */
    Lease lease(ContificoConnection c, boolean write) {
        if (c.integrationId() == ContificoConnection.UNSAVED) {
            ContificoApi own = build(c, new Authorization(c.apiKey()), write);
            return new Lease(own, () -> quietly(own));
        }
        Clients clients = clients(c);
        return new Lease(write ? clients.writes() : clients.reads(), () -> { });
    }

    private Clients clients(ContificoConnection c) {
        Key key = Key.of(c);
        Clients current = clients.get(c.integrationId());
        if (current != null && current.key().equals(key)) {
            return current;
        }
        return clients.compute(c.integrationId(), (id, old) -> {
            if (old != null && old.key().equals(key)) {
                return old;
            }
            if (old != null) {
                old.close();
            }
            ClientHeadersFactory auth = new Authorization(c.apiKey());
            return new Clients(key, build(c, auth, false), build(c, auth, true));
        });
    }

    /**
     * Closes and drops the integration's clients (deactivated, or changed: the next call builds them afresh from
     * the row). In-flight calls on the old clients fail as a lost connection, which every caller already handles.
     */
    public void forget(long integrationId) {
        Clients old = clients.remove(integrationId);
        if (old != null) {
            old.close();
        }
    }

    private ContificoApi build(ContificoConnection c, ClientHeadersFactory auth, boolean write) {
        Duration readTimeout = write ? config.writeTimeout() : config.readTimeout();
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(c.baseUrl()))
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .disableDefaultMapper(true)
                .clientHeadersFactory(auth)
                .httpClientRequestCustomizer(new ContificoBodyLimit(config.maxBodySize().asLongValue()))
                .build(ContificoApi.class);
    }

    @PreDestroy
    void closeAll() {
        clients.values().forEach(Clients::close);
        clients.clear();
    }

    private static void quietly(ContificoApi api) {
        try {
            api.close();
        } catch (IOException | RuntimeException e) {
            LOG.debugf("closing a Contifico client: %s", e.toString());
        }
    }

    private static String fingerprint(String apiKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Contifico takes the bare API key in {@code Authorization} (no scheme). */
    private record Authorization(String apiKey) implements ClientHeadersFactory {
        @Override
        public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming,
                                                     MultivaluedMap<String, String> outgoing) {
            MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
            headers.putSingle("Authorization", apiKey);
            return headers;
        }

        /** Never print the key. */
        @Override
        public String toString() {
            return "Authorization[***]";
        }
    }
}
