-- Scheduled work runs once per period however many replicas run (issue 12 D). Every replica fires the schedules; for
-- each job and store, the replica whose upsert moves period_start forward runs it, the others find the period taken
-- and skip. store_id 0 stands for jobs that are not per store (the retention purge); no foreign key, so a deleted
-- store's row is simply never claimed again.
CREATE TABLE schedule_claims (
    job          TEXT        NOT NULL,
    store_id     BIGINT      NOT NULL,
    period_start TIMESTAMPTZ NOT NULL,
    claimed_by   TEXT        NOT NULL,
    claimed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job, store_id)
);

-- The period a scheduled pull ran for, so an operator (and a test) can see one run per store and period.
ALTER TABLE pull_runs ADD COLUMN scheduled_for TIMESTAMPTZ;
