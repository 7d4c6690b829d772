-- A change version per store, so the status table's conditional GET (If-None-Match) is answered from one tiny query
-- instead of the page query (issue 15). The version is the sum of a store's counters; every statement that changes
-- something the status page reads bumps one of them, in the same transaction. A counter only grows and only committed
-- bumps are seen, so two reads that find the same sum saw the same committed state of the page's tables.
--
-- Why a sum of slots and not one counter per store: a bump holds its row's lock until commit, and every webhook of a
-- store bumps. One row would serialize a store's webhook transactions on it (commit included); each connection bumps
-- the slot of its backend pid instead, so concurrent deliveries rarely meet. Why not a sequence number stamped on the
-- rows: nextval is taken before commit, so a transaction holding a lower number can commit after a reader saw a higher
-- one, and its change would never move the maximum.
CREATE TABLE status_versions (
    store_id BIGINT   NOT NULL,
    slot     SMALLINT NOT NULL,
    n        BIGINT   NOT NULL,
    PRIMARY KEY (store_id, slot)
);

CREATE FUNCTION status_versions_bump(store_ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    -- In store order, so two statements bumping several stores take their slots in the same order.
    INSERT INTO status_versions (store_id, slot, n)
    SELECT s, pg_backend_pid() % 16, 1
    FROM (SELECT DISTINCT unnest(store_ids) AS s) x WHERE s IS NOT NULL ORDER BY s
    ON CONFLICT (store_id, slot) DO UPDATE SET n = status_versions.n + 1
$$;

-- Statement triggers with transition tables: a pull writing a batch of 100 SKUs bumps once, not 100 times.
-- (sync_logs is only inserted into and deleted from; sync_status_latest changes only through its insert trigger.)
CREATE FUNCTION status_versions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM status_versions_bump(ARRAY(SELECT store_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM status_versions_bump(ARRAY(SELECT store_id FROM old_rows));
    ELSE -- TRUNCATE: no rows to look at, so every store moves.
        PERFORM status_versions_bump(ARRAY(SELECT id FROM stores));
    END IF;
    RETURN NULL;
END
$$;

-- Transition tables cannot go with an UPDATE OF column list, so updates compare the columns the page reads: lease
-- renewals, retry bookkeeping and delta-pull figures move nothing.
CREATE FUNCTION status_versions_touch_cache() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM status_versions_bump(ARRAY(
        SELECT n.store_id FROM new_rows n LEFT JOIN old_rows o ON o.store_id = n.store_id AND o.sku = n.sku
        WHERE o.sku IS NULL
           OR (n.name, n.store_stock, n.contifico_stock, n.last_checked_at, n.last_checked_trigger)
              IS DISTINCT FROM (o.name, o.store_stock, o.contifico_stock, o.last_checked_at, o.last_checked_trigger)
        UNION
        SELECT o.store_id FROM old_rows o
        WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.store_id = o.store_id AND n.sku = o.sku)));
    RETURN NULL;
END
$$;

-- The queue: only the open part is on the page (not DONE). A row counts when it was or becomes open, so a push that
-- ends DONE moves the version, and retention deleting old DONE rows does not.
CREATE FUNCTION status_versions_touch_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM status_versions_bump(ARRAY(SELECT store_id FROM new_rows WHERE status <> 'DONE'));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM status_versions_bump(ARRAY(
            SELECT n.store_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.status <> 'DONE' OR o.status <> 'DONE')
              AND (n.store_id, n.sku, n.kind, n.quantity, n.status, n.last_error, n.contifico_movement_id,
                   n.created_at, n.dismissed_at)
                  IS DISTINCT FROM (o.store_id, o.sku, o.kind, o.quantity, o.status, o.last_error,
                                    o.contifico_movement_id, o.created_at, o.dismissed_at)
            UNION
            SELECT o.store_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE o.status <> 'DONE' AND o.store_id <> n.store_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM status_versions_bump(ARRAY(SELECT store_id FROM old_rows WHERE status <> 'DONE'));
    ELSE
        PERFORM status_versions_bump(ARRAY(SELECT id FROM stores));
    END IF;
    RETURN NULL;
END
$$;

-- stores has no store_id column; the same bump on its id (a rename, deactivation, a new or deleted store).
CREATE FUNCTION status_versions_touch_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM status_versions_bump(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM status_versions_bump(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
    ELSE
        PERFORM status_versions_bump(ARRAY(SELECT id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger, hence three (and a TRUNCATE one) per table.
CREATE TRIGGER status_versions_ins AFTER INSERT ON stock_cache
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch();
CREATE TRIGGER status_versions_upd AFTER UPDATE ON stock_cache
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_cache();
CREATE TRIGGER status_versions_del AFTER DELETE ON stock_cache
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch();
CREATE TRIGGER status_versions_trunc AFTER TRUNCATE ON stock_cache
    FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch();

-- sync_status_latest is written by the sync_logs trigger (V10), one statement per log row: the bump goes on sync_logs'
-- own statement instead, once per batch. Any change to the latest row comes from a sync_logs insert; deletes are
-- covered on the table itself.
CREATE TRIGGER status_versions_ins AFTER INSERT ON sync_logs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch();
CREATE TRIGGER status_versions_del AFTER DELETE ON sync_status_latest
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch();
CREATE TRIGGER status_versions_trunc AFTER TRUNCATE ON sync_status_latest
    FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch();

CREATE TRIGGER status_versions_ins AFTER INSERT ON inventory_movements_queue
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_queue();
CREATE TRIGGER status_versions_upd AFTER UPDATE ON inventory_movements_queue
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_queue();
CREATE TRIGGER status_versions_del AFTER DELETE ON inventory_movements_queue
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_queue();
CREATE TRIGGER status_versions_trunc AFTER TRUNCATE ON inventory_movements_queue
    FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_queue();

CREATE TRIGGER status_versions_ins AFTER INSERT ON stores
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_store();
CREATE TRIGGER status_versions_upd AFTER UPDATE ON stores
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_store();
CREATE TRIGGER status_versions_del AFTER DELETE ON stores
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_versions_touch_store();
