package ec.stocksync.status;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.Caller;
import ec.stocksync.common.CurrentCaller;
import ec.stocksync.common.Paging;
import ec.stocksync.common.StoreScoped;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The status table, built for polling: every answer carries an ETag and a poll with a matching If-None-Match gets
 * 304 and no body. The tag is made of the store's change version (V20, bumped in the same transaction as any write to
 * what the page reads), the request's parameters and the caller's scope, so a poll with the current tag is answered
 * after one index look-up, without running the page query: a dashboard polling every few seconds costs next to nothing.
 * Other calls run the page query, or are answered from memory once the store's snapshot is kept, patched with what
 * changed since ({@link StatusSnapshots}).
 */
@Path("/api/sync-status")
@Produces(MediaType.APPLICATION_JSON)
@StoreScoped
public class SyncStatusResource {

    static final int MAX_SIZE = 200;
    static final String SIZE_RULE = "must be between 1 and " + MAX_SIZE;

    @Inject
    CurrentCaller current;
    @Inject
    SyncStatusQuery query;
    @Inject
    StatusSnapshots snapshots;

    @GET
    @Operation(summary = "The status table: one row per SKU (ETag, 304 on If-None-Match)")
    public Uni<Response> get(@RestQuery Long storeId,
                             @RestQuery @Parameter(schema = @Schema(implementation = SyncStatus.class)) String status,
                             @RestQuery String q,
                             @RestQuery @Min(value = 0, message = Paging.PAGE_RULE) Integer page,
                             @RestQuery @Min(value = 1, message = SIZE_RULE) @Max(value = MAX_SIZE, message = SIZE_RULE) Integer size,
                             @RestQuery String sort,
                             @RestHeader("If-None-Match") String ifNoneMatch) {
        Long requestedStore = current.get().storeFilter(storeId);
        Paging paging = Paging.of(page, size);
        SyncStatus st = parseStatus(status);
        String search = q == null || q.isBlank() ? null : q.trim();
        if (search != null && search.indexOf('\0') >= 0) {
            // PostgreSQL text cannot hold NUL: refused here as bad input, not answered as a database failure.
            throw ApiException.invalidField("q", "must not contain a NUL character");
        }
        String[] sortBy = parseSort(sort);
        Uni<Long> store = requestedStore != null ? Uni.createFrom().item(requestedStore) : query.onlyActiveStore().map(id -> {
            if (id == null) {
                throw ApiException.invalidField("storeId", "is required unless exactly one store is active");
            }
            return id;
        });
        Caller caller = current.get();
        return store.chain(id -> {
            SyncStatusQuery.Request req = new SyncStatusQuery.Request(id, st, search, paging.page(), paging.size(),
                    sortBy[0], sortBy[1] != null);
            return query.version(id).chain(version -> {
                if (version == null) {
                    throw ApiException.storeNotFound(id);
                }
                if (matches(ifNoneMatch, etag(req, caller, version))) {
                    return Uni.createFrom().item(notModified(etag(req, caller, version)));
                }
                // A search outside ASCII goes to PostgreSQL: its ILIKE folds case by the database's locale, which
                // Java's lower-casing in the snapshot would not always match.
                Uni<StatusSnapshot> snapshot = search != null && search.chars().anyMatch(c -> c > 127)
                        ? Uni.createFrom().nullItem() : snapshots.at(id, version);
                return snapshot.chain(s -> s != null
                        ? Uni.createFrom().item(ok(s.page(req, OffsetDateTime.now()), etag(req, caller, s.version())))
                        : query.page(req).map(r -> ok(r.page(), etag(req, caller, r.version()))));
            });
        });
    }

    private static Response ok(SyncStatusPage page, String etag) {
        return Response.ok(page).header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .build();
    }

    private static Response notModified(String etag) {
        return Response.notModified().header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, "no-cache").build();
    }

    /**
     * A strong tag: the same store version, parameters and caller give the same page. The pending age, which grows
     * every second, is not part of it (clients derive it from {@code oldestPendingAt}). {@code FORMAT} changes when the
     * answer's shape or computation does, so a deploy does not answer 304 to a page the old code built.
     */
    static String etag(SyncStatusQuery.Request req, Caller caller, long version) {
        // The search text is the one free-form part: length-prefixed and last, so no text can pass for other fields.
        String key = String.join("|", FORMAT, String.valueOf(req.storeId()), String.valueOf(version),
                String.valueOf(req.status()), String.valueOf(req.page()), String.valueOf(req.size()), req.sortField(),
                String.valueOf(req.descending()), caller.tokenId() == null ? "bootstrap" : "token:" + caller.tokenId(),
                String.valueOf(caller.storeId()), req.q() == null ? "-" : req.q().length() + ":" + req.q());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot compute the ETag", e);
        }
    }

    /** Bump when the page's content for the same data changes (a new field, another status rule). */
    static final String FORMAT = "sync-status/2";

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
