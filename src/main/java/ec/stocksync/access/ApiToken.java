package ec.stocksync.access;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;

/**
 * A named API token as listed: never the token itself nor its hash, only the prefix that lets an operator recognise
 * it. {@code token} is filled once, in the answer to its creation.
 */
@RegisterForReflection
public record ApiToken(long id, String name, String scope, Long storeId, String access, String prefix,
                       OffsetDateTime createdAt, String createdBy, OffsetDateTime expiresAt, OffsetDateTime revokedAt,
                       OffsetDateTime lastUsedAt, String status, String token) {

    ApiToken withToken(String token) {
        return new ApiToken(id, name, scope, storeId, access, prefix, createdAt, createdBy, expiresAt, revokedAt,
                lastUsedAt, status, token);
    }
}
