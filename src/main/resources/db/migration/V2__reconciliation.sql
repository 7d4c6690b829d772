-- The safety net for lost webhooks: per store, how far the storefront's orders have been read back and booked.
-- reconciled_through is in the storefront's clock (the newest order modification seen), and moves only after a run
-- that read and booked everything without error; a failed run leaves it where it was.
CREATE TABLE reconciliation_state (
    store_id            BIGINT      PRIMARY KEY REFERENCES stores (id),
    reconciled_through  TIMESTAMPTZ,
    last_run_at         TIMESTAMPTZ,
    last_run_status     TEXT        CHECK (last_run_status IN ('DONE', 'FAILED')),
    last_error          TEXT,
    last_summary        JSONB,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
