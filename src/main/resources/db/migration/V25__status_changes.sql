-- Which SKUs of a store changed, and in which transaction, so a kept status snapshot (StatusSnapshots) can be brought
-- to a newer version by re-reading only those SKUs (issue 15). Every statement that bumps a store's version (V20)
-- also appends one row per distinct (store, SKU) it touched; a change that is not about one SKU (a store created or
-- deleted, a TRUNCATE) appends sku NULL: "the whole store".
--
-- Append-only on purpose: a row per SKU kept up to date would hold its lock until commit and serialize concurrent
-- webhooks of a hot SKU (the reason V20 bumps one of 16 slots). Each row carries its transaction's id: a reader that
-- kept the pg_snapshot its full read ran in knows exactly which changes it has not seen (a transaction not visible in
-- that snapshot, whether it started after it or was still running during it). A timestamp or "the highest id seen"
-- would miss a transaction that was open during the read and committed after it.
CREATE TABLE status_changes (
    store_id   BIGINT      NOT NULL,
    sku        TEXT,
    xid        xid8        NOT NULL DEFAULT pg_current_xact_id(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX status_changes_store_xid ON status_changes (store_id, xid);
-- Retention deletes by age; rows arrive roughly in created_at order, so a BRIN index costs the inserts next to nothing.
CREATE INDEX status_changes_created_at ON status_changes USING brin (created_at);

-- The highest transaction id retention ever deleted from status_changes: a snapshot whose xmin is not above it may
-- have lost changes, and is read again in full.
CREATE TABLE status_changes_pruned (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    xid xid8    NOT NULL
);
INSERT INTO status_changes_pruned (one, xid) VALUES (TRUE, '0');

-- The pairs (store, sku) a statement touched: appended to the feed, and their stores' versions bumped. Every webhook
-- runs this, so it is plpgsql (its statements are planned once per session and the plans kept; a LANGUAGE sql function
-- of two statements is not inlined and is parsed and planned again in every call), with V20's bump written out here
-- rather than called (a call to status_versions_bump, a sql function, would be planned again each time too).
CREATE FUNCTION status_changed(store_ids BIGINT[], skus TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_changes (store_id, sku)
    SELECT DISTINCT s, k FROM unnest(store_ids, skus) AS x(s, k) WHERE s IS NOT NULL;
    -- V20's status_versions_bump: the slot of this backend's pid, so concurrent deliveries of a store rarely meet on
    -- one row (a bump holds its row's lock until commit); in store order, so two statements bumping several stores
    -- take their slots in the same order.
    INSERT INTO status_versions (store_id, slot, n)
    SELECT s, pg_backend_pid() % 16, 1
    FROM (SELECT DISTINCT unnest(store_ids) AS s) x WHERE s IS NOT NULL ORDER BY s
    ON CONFLICT (store_id, slot) DO UPDATE SET n = status_versions.n + 1;
END
$$;

-- The V20 trigger functions, with the same conditions, now naming the SKUs.
CREATE OR REPLACE FUNCTION status_versions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s BIGINT[];
    k TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(store_id), array_agg(sku) INTO s, k FROM (SELECT DISTINCT store_id, sku FROM new_rows) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(store_id), array_agg(sku) INTO s, k FROM (SELECT DISTINCT store_id, sku FROM old_rows) x;
    ELSE -- TRUNCATE: no rows to look at, so every store moves, as a whole.
        s := ARRAY(SELECT id FROM stores);
    END IF;
    PERFORM status_changed(s, k);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION status_versions_touch_cache() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s BIGINT[];
    k TEXT[];
BEGIN
    SELECT array_agg(store_id), array_agg(sku) INTO s, k FROM (
        SELECT n.store_id, n.sku FROM new_rows n LEFT JOIN old_rows o ON o.store_id = n.store_id AND o.sku = n.sku
        WHERE o.sku IS NULL
           OR (n.name, n.store_stock, n.contifico_stock, n.last_checked_at, n.last_checked_trigger)
              IS DISTINCT FROM (o.name, o.store_stock, o.contifico_stock, o.last_checked_at, o.last_checked_trigger)
        UNION
        SELECT o.store_id, o.sku FROM old_rows o
        WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.store_id = o.store_id AND n.sku = o.sku)) x;
    PERFORM status_changed(s, k);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION status_versions_touch_queue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s BIGINT[];
    k TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(store_id), array_agg(sku) INTO s, k
        FROM (SELECT DISTINCT store_id, sku FROM new_rows WHERE status <> 'DONE') x;
    ELSIF TG_OP = 'UPDATE' THEN
        -- A row moved to another SKU or store changes the old one's row too.
        SELECT array_agg(store_id), array_agg(sku) INTO s, k FROM (
            SELECT n.store_id, n.sku FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.status <> 'DONE' OR o.status <> 'DONE')
              AND (n.store_id, n.sku, n.kind, n.quantity, n.status, n.last_error, n.contifico_movement_id,
                   n.created_at, n.dismissed_at)
                  IS DISTINCT FROM (o.store_id, o.sku, o.kind, o.quantity, o.status, o.last_error,
                                    o.contifico_movement_id, o.created_at, o.dismissed_at)
            UNION
            SELECT o.store_id, o.sku FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE o.status <> 'DONE' AND (o.store_id, o.sku) IS DISTINCT FROM (n.store_id, n.sku)) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(store_id), array_agg(sku) INTO s, k
        FROM (SELECT DISTINCT store_id, sku FROM old_rows WHERE status <> 'DONE') x;
    ELSE
        s := ARRAY(SELECT id FROM stores);
    END IF;
    PERFORM status_changed(s, k);
    RETURN NULL;
END
$$;

-- The page's rows read no column of stores, only whether the store exists (StoreContexts.storeExists), which an UPDATE
-- cannot change: a rename, a deactivation, a secret rotated or scheduled pulls toggled bump the version (as in V20) but
-- append no "whole store" row, which would make the next poll read the whole store again for nothing.
CREATE OR REPLACE FUNCTION status_versions_touch_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM status_changed(ARRAY(SELECT id FROM new_rows), NULL);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM status_versions_bump(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
    ELSE
        PERFORM status_changed(ARRAY(SELECT id FROM old_rows), NULL);
    END IF;
    RETURN NULL;
END
$$;
