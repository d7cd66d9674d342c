-- Supplier memory (issue 14): what reviews taught about each supplier's
-- invoices, per tenant. `memory` is JSON (invex_domain::memory::FieldMemory
-- list). A supplier is found by its keys (`vat:SE...`, `iban:...`, `name:...`);
-- each key names at most one supplier of a tenant.
CREATE TABLE suppliers (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    name        TEXT,
    keys        TEXT NOT NULL,
    memory      TEXT NOT NULL,
    -- Bumped by every save: a save from a stale read is refused.
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX suppliers_tenant ON suppliers (tenant_id, updated_at);
CREATE TABLE supplier_keys (
    tenant_id   TEXT NOT NULL,
    key         TEXT NOT NULL,
    supplier_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX supplier_keys_supplier ON supplier_keys (supplier_id);
-- The invoices a supplier's memory was learned from: erasing one of them
-- (GDPR, retention) erases the memory.
CREATE TABLE supplier_sources (
    supplier_id TEXT NOT NULL,
    invoice_id  TEXT NOT NULL,
    PRIMARY KEY (supplier_id, invoice_id)
);
CREATE INDEX supplier_sources_invoice ON supplier_sources (invoice_id);
-- The page's words with the result, for learning at review time.
ALTER TABLE invoices ADD COLUMN words TEXT;
