package ec.stocksync.status;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest {@link StatusSnapshot} of the most recently asked stores, per replica. A snapshot answers for the exact
 * version it was read (or patched) at, or a patch read after the caller's own version read, and the version moves
 * with every write to what the page reads (V20), so nothing stale is served, whatever the other replicas do.
 *
 * <p>Reading a whole store costs more than one page, so a snapshot is read only once a version has paid for it: the
 * first call at a version gets the page query, and when a second call comes at the same version the store is read in
 * the background, for the calls after it (paging, sorting, filtering, other dashboards: answered from memory).
 *
 * <p>Once a store has a snapshot, a call at a newer version patches it: one statement re-reads only the SKUs that
 * changed since the snapshot's database snapshot (the change feed, V25), with the new version, and the call is
 * answered from the patched copy, which is kept. One patch per store at a time: a burst of polls after a change waits
 * for the same one. When the changes cannot be patched in (a change to the whole store, a SKU new, gone or renamed,
 * too many SKUs, a pruned feed), the call gets the page query, the snapshot is dropped and the store is read again
 * in the background.
 */
@ApplicationScoped
public class StatusSnapshots {

    private static final Logger LOG = Logger.getLogger(StatusSnapshots.class);

    @Inject
    SyncStatusQuery query;

    /** How many stores to keep (about 2 MB per 10,000 SKUs); 0 turns snapshots off (every call runs the page query). */
    @ConfigProperty(name = "stocksync.status.cached-stores", defaultValue = "8")
    int cachedStores;

    private final Map<Long, StatusSnapshot> newest = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, StatusSnapshot> eldest) {
            return size() > cachedStores;
        }
    };
    /** The version each store was last asked at without a snapshot, to spot the second call at one version. */
    private final Map<Long, Long> askedAt = new HashMap<>();
    private final Set<Long> loading = ConcurrentHashMap.newKeySet();
    /** The patch in flight per store, which calls arriving meanwhile share. */
    private final Map<Long, Uni<StatusSnapshot>> patching = new HashMap<>();

    private final AtomicLong fullReads = new AtomicLong();
    private final AtomicLong patches = new AtomicLong();
    private final AtomicLong refusedPatches = new AtomicLong();
    private final AtomicLong callsOnAPatch = new AtomicLong();
    /** Set by the tests only: no full read starts (so what happens before one lands can be seen). */
    private volatile boolean fullReadsHeld;

    /**
     * A snapshot of the store at {@code version} or newer (patched now if the kept one is older); null when there is
     * none to answer from (the caller runs the page query), and maybe one is read for later.
     */
    public Uni<StatusSnapshot> at(long storeId, long version) {
        return at(storeId, version, 0);
    }

    private Uni<StatusSnapshot> at(long storeId, long version, int round) {
        if (cachedStores <= 0) {
            return Uni.createFrom().nullItem();
        }
        Uni<StatusSnapshot> patch;
        synchronized (this) {
            StatusSnapshot kept = newest.get(storeId);
            if (kept != null && kept.version() == version) {
                return Uni.createFrom().item(kept);
            }
            if (kept != null && kept.version() > version) {
                // Rare (a patch read a newer version after the caller read its own), and an older version than a
                // kept one may also mean the versions were reset (a restore): the page query answers.
                return Uni.createFrom().nullItem();
            }
            if (kept == null) {
                readOnSecondAsk(storeId, version);
                return Uni.createFrom().nullItem();
            }
            callsOnAPatch.incrementAndGet();
            patch = patching.get(storeId);
            if (patch == null) {
                patch = patch(kept);
                patching.put(storeId, patch);
            }
        }
        // A patch already in flight may have read before the caller's version did; one started after it (the next
        // round) cannot have, so two rounds suffice, the third is only a guard.
        return patch.chain(s -> s == null ? Uni.createFrom().nullItem()
                : s.version() >= version ? Uni.createFrom().item(s)
                : round < 2 ? at(storeId, version, round + 1) : Uni.createFrom().nullItem());
    }

    /** One patch of {@code kept}, shared by the calls that come while it runs; null when it could not patch. */
    private Uni<StatusSnapshot> patch(StatusSnapshot kept) {
        long storeId = kept.storeId();
        return query.patch(kept)
                // A version below the kept one means the versions went back (a restore): the feed cannot be trusted.
                .map(p -> p.changes() == null || p.version() < kept.version() ? null
                        : kept.patched(p.version(), p.dbSnapshot(), p.changes()))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("status snapshot of store %d not patched: %s", storeId, e.toString());
                    return null;
                })
                .invoke(patched -> {
                    synchronized (this) {
                        patching.remove(storeId);
                        if (patched != null) {
                            patches.incrementAndGet();
                            keep(patched);
                        } else {
                            refusedPatches.incrementAndGet();
                            // Every later patch of it would be refused too: until the full read lands, calls take
                            // the path without a snapshot (the page query) rather than a failing patch and the query.
                            if (newest.get(storeId) == kept) {
                                newest.remove(storeId);
                            }
                        }
                    }
                    if (patched == null) {
                        readInBackground(storeId);
                    }
                })
                .memoize().indefinitely();
    }

    /** Must hold the monitor. */
    private void readOnSecondAsk(long storeId, long version) {
        Long before = askedAt.put(storeId, version);
        if (before != null && before == version) {
            readInBackground(storeId);
        }
    }

    private void readInBackground(long storeId) {
        if (fullReadsHeld || !loading.add(storeId)) {
            return;
        }
        fullReads.incrementAndGet();
        query.all(storeId).subscribe().with(s -> {
            keep(s);
            loading.remove(storeId);
        }, e -> {
            loading.remove(storeId);
            LOG.warnf("status snapshot of store %d not read: %s", storeId, e.toString());
        });
    }

    private synchronized void keep(StatusSnapshot s) {
        StatusSnapshot current = newest.get(s.storeId());
        if (current == null || current.version() < s.version()) {
            newest.put(s.storeId(), s);
        }
        askedAt.remove(s.storeId());
    }

    /** Full reads started so far, for the tests (methods, not fields: the tests see the bean through its proxy). */
    long fullReads() {
        return fullReads.get();
    }

    /** Patches applied so far, for the tests. */
    long patches() {
        return patches.get();
    }

    /** Calls that started or joined a patch, for the tests. */
    long callsOnAPatch() {
        return callsOnAPatch.get();
    }

    /** Patches that could not patch (the store is read again), for the tests. */
    long refusedPatches() {
        return refusedPatches.get();
    }

    /** Holds (or lets go) every full read, for the tests. */
    void holdFullReads(boolean held) {
        fullReadsHeld = held;
    }

    /** The snapshot kept for the store, for the tests. */
    synchronized StatusSnapshot kept(long storeId) {
        return newest.get(storeId);
    }

    /** Replaces the kept snapshot, for the tests (one standing in for a snapshot read before a restart). */
    synchronized void replaceKept(StatusSnapshot s) {
        newest.put(s.storeId(), s);
    }
}
