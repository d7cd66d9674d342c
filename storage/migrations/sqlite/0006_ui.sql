-- The review UI (issue 16). A browser session is a random cookie token whose
-- sha256 is the key here; it lives until expires_at, until sign-out, or until
-- the API key it was opened with is revoked. The tenant's UI language is its
-- own choice (sv or en).
CREATE TABLE ui_sessions (
    token_hash  TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    key_id      TEXT NOT NULL REFERENCES api_keys (id),
    role        TEXT NOT NULL,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);
CREATE TABLE ui_tenants (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants (id),
    language    TEXT NOT NULL
);
-- The invoice page reads one invoice's audit trail.
CREATE INDEX audit_log_invoice ON audit_log (tenant_id, invoice_id);
