-- Scoped API tokens and the audit log of API writes (issue 11 E, DESIGN rule on tenants). Owner: ec.stocksync.access.

-- A token is shown once, when created; only its SHA-256 is kept (the token carries 256 random bits, so a slow hash
-- would add nothing but latency). store_id NULL means an admin token; otherwise the token sees that store only.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   TEXT        NOT NULL UNIQUE,
    token_prefix TEXT        NOT NULL,
    store_id     BIGINT REFERENCES stores (id),
    can_write    BOOLEAN     NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by   TEXT        NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_store ON api_tokens (store_id) WHERE store_id IS NOT NULL;

-- One row per write attempted through /api by an authenticated caller, whatever its outcome. token_id is NULL for the
-- bootstrap admin token; the name is copied so the trail survives a token's deletion. Never a request body: bodies
-- carry credentials.
CREATE TABLE api_audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    token_id    BIGINT,
    token_name  TEXT        NOT NULL,
    method      TEXT        NOT NULL,
    path        TEXT        NOT NULL,
    store_id    BIGINT,
    status      INT         NOT NULL
);
CREATE INDEX api_audit_log_at ON api_audit_log (at DESC, id DESC);
CREATE INDEX api_audit_log_store ON api_audit_log (store_id, at DESC, id DESC) WHERE store_id IS NOT NULL;
