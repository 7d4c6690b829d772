package ec.stocksync.common;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Guards the admin API: {@code Authorization: Bearer <stocksync.admin-token>} on every /api request. */
public class AdminAuthFilter {

    private static final String PREFIX = "Bearer ";

    @Inject
    StockSyncConfig config;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> requireAdminToken(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!(path.equals("/api") || path.startsWith("/api/"))) {
            return Optional.empty();
        }
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.of(unauthorized("Send the admin token as 'Authorization: Bearer <token>'."));
        }
        byte[] given = header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
        byte[] expected = config.adminToken().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, expected)) {
            return Optional.of(unauthorized("The admin token is not valid."));
        }
        return Optional.empty();
    }

    private static Response unauthorized(String message) {
        Response r = ErrorMapper.response(401, "unauthorized", message);
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
