package ec.stocksync.common;

import java.time.OffsetDateTime;

/**
 * Who is calling the API, as the access filter established it: the bootstrap admin token, or a named token that is
 * admin or bound to one store, read-only or read-write. Resources ask it which store a request may touch; every check
 * answers a store the caller may not see exactly as a store that does not exist, so ids cannot be probed.
 *
 * <p>The identity is fixed; the one mutable part is the store a request turned out to concern, which the audit log
 * records once the response is known.
 */
public final class Caller {

    private final Long tokenId;
    private final String tokenName;
    private final Long storeId;
    private final boolean canWrite;
    private final OffsetDateTime expiresAt;
    private volatile Long auditedStore;

    public Caller(Long tokenId, String tokenName, Long storeId, boolean canWrite, OffsetDateTime expiresAt) {
        this.tokenId = tokenId;
        this.tokenName = tokenName;
        this.storeId = storeId;
        this.canWrite = canWrite;
        this.expiresAt = expiresAt;
        this.auditedStore = storeId;
    }

    /** The token from the configuration: admin, read-write, no expiry. */
    public static Caller bootstrap() {
        return new Caller(null, "bootstrap", null, true, null);
    }

    public Long tokenId() {
        return tokenId;
    }

    public String tokenName() {
        return tokenName;
    }

    /** The store a store token is bound to; null for an admin. */
    public Long storeId() {
        return storeId;
    }

    public boolean isAdmin() {
        return storeId == null;
    }

    public boolean canWrite() {
        return canWrite;
    }

    public OffsetDateTime expiresAt() {
        return expiresAt;
    }

    /** How the caller is named where an action is attributed to it (a dismissal, the audit log). */
    public String label() {
        return tokenId == null ? "admin" : "token:" + tokenId + ":" + tokenName;
    }

    public boolean canSee(long store) {
        return storeId == null || storeId == store;
    }

    /** The store a request touches, when it is visible; a store that is not is the same 404 as one that does not exist. */
    public long requireStore(long store) {
        if (!canSee(store)) {
            throw ApiException.storeNotFound(store);
        }
        auditedStore = store;
        return store;
    }

    /**
     * For an object found by its own id (a movement, a pull run): visible only through its store. {@code notFound} is
     * the answer the endpoint gives for an id that does not exist, so the two cannot be told apart.
     */
    public void requireOwned(long objectStore, ApiException notFound) {
        if (!canSee(objectStore)) {
            throw notFound;
        }
        auditedStore = objectStore;
    }

    /**
     * A listing's store filter: an admin's choice as given (null for all stores); a store token's own store, whether it
     * named it or not. Naming another store is a 404.
     */
    public Long storeFilter(Long requested) {
        if (storeId == null) {
            if (requested != null) {
                auditedStore = requested;
            }
            return requested;
        }
        if (requested != null && !requested.equals(storeId)) {
            throw ApiException.storeNotFound(requested);
        }
        return storeId;
    }

    /** Records the store a write created (a new store's id), for the audit log. */
    public void touched(long store) {
        auditedStore = store;
    }

    public Long auditedStore() {
        return auditedStore;
    }
}
