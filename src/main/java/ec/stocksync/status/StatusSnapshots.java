package ec.stocksync.status;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest {@link StatusSnapshot} of the most recently asked stores, per replica. A snapshot answers only for the
 * exact version it was read at, and the version moves with every write to what the page reads (V20), so nothing stale
 * is served whatever the other replicas do (or if the versions were ever reset, as by a restore).
 *
 * <p>Reading a whole store costs more than one page, so a snapshot is read only once a version has paid for it: the
 * first call at a version gets the page query (what a dashboard polling through a busy store needs: one page per
 * change, then 304s), and when a second call comes at the same version the store is read in the background, for the
 * calls after it (paging, sorting, filtering, other dashboards: answered from memory).
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

    /** The snapshot of the store at exactly {@code version} if one is kept; else null, and maybe one is read for later. */
    public StatusSnapshot at(long storeId, long version) {
        if (cachedStores <= 0) {
            return null;
        }
        synchronized (this) {
            StatusSnapshot kept = newest.get(storeId);
            if (kept != null && kept.version() == version) {
                return kept;
            }
            Long before = askedAt.put(storeId, version);
            if (before == null || before != version || !loading.add(storeId)) {
                return null;
            }
        }
        query.all(storeId).subscribe().with(s -> {
            keep(s);
            loading.remove(storeId);
        }, e -> {
            loading.remove(storeId);
            LOG.warnf("status snapshot of store %d not read: %s", storeId, e.toString());
        });
        return null;
    }

    private synchronized void keep(StatusSnapshot s) {
        StatusSnapshot current = newest.get(s.storeId());
        if (current == null || current.version() < s.version()) {
            newest.put(s.storeId(), s);
        }
        askedAt.remove(s.storeId());
    }
}
