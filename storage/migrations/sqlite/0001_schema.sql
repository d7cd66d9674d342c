-- The upload service's schema (SQLite). Kept column for column in step with
-- ../postgres/0001_schema.sql: the queries are shared, only types differ.
-- Timestamps are epoch milliseconds, JSON is TEXT, dates are 'YYYY-MM-DD'.

CREATE TABLE tenants (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    retention_days BIGINT,
    created_at     BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    sha256          TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    blob_key        TEXT NOT NULL,
    status          TEXT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    result          TEXT,
    extractor       TEXT,
    error           TEXT,
    error_type      TEXT,
    -- The summary: what the list filters and the review queue use.
    supplier_name   TEXT,
    -- supplier_name lower-cased in Rust (SQLite's LOWER only knows ASCII).
    supplier_search TEXT,
    invoice_number  TEXT,
    invoice_date    TEXT,
    total_amount    TEXT,
    total_minor     BIGINT,
    currency        TEXT,
    min_confidence  REAL,
    failed_checks   BIGINT NOT NULL DEFAULT 0,
    search_text     TEXT NOT NULL DEFAULT '',
    approved_by     TEXT,
    approved_at     BIGINT,
    UNIQUE (tenant_id, sha256)
);
CREATE INDEX invoices_list ON invoices (tenant_id, created_at DESC, id DESC);
CREATE INDEX invoices_status ON invoices (tenant_id, status);
CREATE INDEX invoices_blob ON invoices (blob_key);
CREATE INDEX invoices_created ON invoices (created_at);

CREATE TABLE corrections (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    invoice_id   TEXT NOT NULL REFERENCES invoices (id),
    tenant_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    previous     TEXT,
    value        TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at BIGINT NOT NULL
);
CREATE INDEX corrections_invoice ON corrections (invoice_id, corrected_at, seq);

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    tenant_id   TEXT NOT NULL,
    -- queued | running | done | dead
    status      TEXT NOT NULL,
    run_at      BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    lease_token TEXT,
    lease_until BIGINT,
    worker      TEXT,
    last_error  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_invoice ON jobs (invoice_id);

CREATE TABLE webhooks (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
    url       TEXT NOT NULL,
    secret    TEXT NOT NULL
);

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    -- The invoice the event is about, so that erasing it erases this too.
    invoice_id       TEXT,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    -- pending | sending | delivered | failed | abandoned
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_status_code BIGINT,
    last_error       TEXT,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, created_at);
CREATE INDEX deliveries_invoice ON deliveries (invoice_id);

-- Append-only: nothing updates or deletes these rows. No foreign keys, so
-- that erasing an invoice leaves its history.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    tenant_id  TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    invoice_id TEXT,
    detail     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at, seq);
