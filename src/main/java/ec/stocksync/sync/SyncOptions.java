package ec.stocksync.sync;

/**
 * @param dryRun              report what would change, write nothing to the storefront or the cache
 * @param limit               most SKUs to process (null: all)
 * @param skipRecentPushCheck also pull SKUs pushed in the last minutes (the post-push pull does: it reads after its own push)
 */
public record SyncOptions(boolean dryRun, Integer limit, boolean skipRecentPushCheck) {

    public static final SyncOptions AFTER_PUSH = new SyncOptions(false, null, true);
}
