package ec.stocksync.access;

import ec.stocksync.common.Caller;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.ErrorMapper;
import ec.stocksync.common.StockSyncConfig;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Guards everything under /api. Authentication runs before routing, so an unauthenticated request learns nothing about
 * which paths or ids exist: the bootstrap admin token from the configuration, or a named token from {@link ApiTokens}.
 * Authorisation runs once the endpoint is known: store tokens may only call endpoints marked {@link StoreScoped}
 * (which confine themselves to the token's store) and read-only tokens may only read.
 */
public class AccessFilter {

    static final String CALLER_PROPERTY = "stocksync.caller";
    private static final String BEARER = "Bearer ";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    StockSyncConfig config;
    @Inject
    ApiTokens tokens;
    @Inject
    CurrentCaller current;

    static boolean isApi(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> authenticate(ContainerRequestContext ctx) {
        if (!isApi(ctx.getUriInfo().getPath())) {
            return Uni.createFrom().nullItem();
        }
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().item(unauthorized("Send an API token as 'Authorization: Bearer <token>'."));
        }
        String presented = header.substring(BEARER.length()).trim();
        if (MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                config.adminToken().getBytes(StandardCharsets.UTF_8))) {
            return Uni.createFrom().item(admit(ctx, Caller.bootstrap()));
        }
        // Anything else that is not shaped like one of our tokens cannot be one: no database round trip for it.
        if (!presented.startsWith(ApiTokens.PREFIX) || presented.length() > 100) {
            return Uni.createFrom().item(invalid());
        }
        return tokens.authenticate(presented).map(caller -> caller == null ? invalid() : admit(ctx, caller));
    }

    @ServerRequestFilter
    public Response authorize(ContainerRequestContext ctx, ResourceInfo resource) {
        Caller caller = (Caller) ctx.getProperty(CALLER_PROPERTY);
        if (caller == null) {
            return null;
        }
        if (!caller.isAdmin() && !storeScoped(resource)) {
            return ErrorMapper.response(403, "forbidden", "This token is bound to store " + caller.storeId()
                    + " and cannot use this endpoint; it needs an admin token.");
        }
        if (!caller.canWrite() && !READS.contains(ctx.getMethod())) {
            return ErrorMapper.response(403, "read_only_token", "This token is read-only; changes need a read-write token.");
        }
        return null;
    }

    private static boolean storeScoped(ResourceInfo resource) {
        return resource.getResourceMethod() != null && (resource.getResourceMethod().isAnnotationPresent(StoreScoped.class)
                || resource.getResourceClass().isAnnotationPresent(StoreScoped.class));
    }

    private Response admit(ContainerRequestContext ctx, Caller caller) {
        ctx.setProperty(CALLER_PROPERTY, caller);
        current.set(caller);
        return null;
    }

    private static Response invalid() {
        return unauthorized("The token is not valid, has expired or was revoked.");
    }

    private static Response unauthorized(String message) {
        Response r = ErrorMapper.response(401, "unauthorized", message);
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
