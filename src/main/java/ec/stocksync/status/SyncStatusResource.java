package ec.stocksync.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.Paging;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The status table, built for polling: every answer carries an ETag and a poll with a matching If-None-Match gets
 * 304 and no body. The query still runs (the tag is a hash of what it found), so a 304 saves the transfer and the
 * page's re-render, not the database work.
 */
@Path("/api/sync-status")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class SyncStatusResource {

    static final int MAX_SIZE = 200;

    @Inject
    CurrentCaller current;
    @Inject
    SyncStatusQuery query;
    @Inject
    ObjectMapper mapper;

    @GET
    public Uni<Response> get(@RestQuery String storeId, @RestQuery String status, @RestQuery String q,
                             @RestQuery String page, @RestQuery String size, @RestQuery String sort,
                             @RestHeader("If-None-Match") String ifNoneMatch) {
        // Parsed here, not by JAX-RS: a malformed query parameter would otherwise be a bare 404.
        Long requestedStore = current.get().storeFilter(Paging.optionalNumber("storeId", storeId));
        Paging paging = Paging.parse(page, size, MAX_SIZE);
        SyncStatus st = parseStatus(status);
        String search = q == null || q.isBlank() ? null : q.trim();
        String[] sortBy = parseSort(sort);
        Uni<Long> store = requestedStore != null ? Uni.createFrom().item(requestedStore) : query.onlyActiveStore().map(id -> {
            if (id == null) {
                throw ApiException.invalidField("storeId", "is required unless exactly one store is active");
            }
            return id;
        });
        return store.chain(id -> query.page(new SyncStatusQuery.Request(id, st, search, paging.page(), paging.size(), sortBy[0],
                        sortBy[1] != null)))
                .map(result -> respond(result, ifNoneMatch));
    }

    private Response respond(SyncStatusPage result, String ifNoneMatch) {
        String etag = etag(result);
        if (matches(ifNoneMatch, etag)) {
            return Response.notModified().header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .build();
        }
        return Response.ok(result).header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, "no-cache").build();
    }

    /** A strong tag over the answer without the ever-growing pending age (see {@link SyncStatusPage.Summary}). */
    String etag(SyncStatusPage result) {
        SyncStatusPage.Summary sm = result.summary();
        SyncStatusPage stable = new SyncStatusPage(result.storeId(), result.items(), result.page(), result.size(),
                result.total(), result.sort(), new SyncStatusPage.Summary(sm.skus(), sm.counts(), sm.queueDepth(),
                sm.deadMovements(), sm.oldestPendingAt(), null));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(mapper.writeValueAsBytes(stable));
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot compute the ETag", e);
        }
    }

    /** If-None-Match may list several tags, weak ones included (a proxy may have weakened ours), or be "*". */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        return Arrays.stream(ifNoneMatch.split(",")).map(String::trim)
                .map(t -> t.startsWith("W/") ? t.substring(2) : t)
                .anyMatch(t -> t.equals("*") || t.equals(etag));
    }

    static SyncStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return SyncStatus.valueOf(status.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("status", "must be one of " + Arrays.toString(SyncStatus.values()));
        }
    }

    /** {@code sku}, {@code -lastUpdatedAt} or {@code lastUpdatedAt,desc}; answers {field, "desc" or null}. */
    static String[] parseSort(String sort) {
        if (sort == null || sort.isBlank()) {
            return new String[]{"sku", null};
        }
        String field = sort.trim();
        boolean desc = false;
        if (field.startsWith("-")) {
            desc = true;
            field = field.substring(1);
        } else if (field.contains(",")) {
            String dir = field.substring(field.indexOf(',') + 1).trim().toLowerCase();
            field = field.substring(0, field.indexOf(',')).trim();
            if (!dir.equals("asc") && !dir.equals("desc")) {
                throw ApiException.invalidField("sort", "direction must be asc or desc");
            }
            desc = dir.equals("desc");
        }
        if (!SyncStatusQuery.SORTS.containsKey(field)) {
            throw ApiException.invalidField("sort", "must be one of " + SyncStatusQuery.SORTS.keySet().stream().sorted().toList()
                    + ", optionally as -field or field,desc");
        }
        return new String[]{field, desc ? "desc" : null};
    }
}
