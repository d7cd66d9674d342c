-- A reviewer's line items (issue 16). Each row replaces the invoice's whole
-- list of lines as the person left it (`lines`, JSON); the newest row wins.
-- `previous` is the list before the edit, for the audit trail. The extracted
-- result is never changed.
CREATE TABLE line_corrections (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    invoice_id   TEXT NOT NULL REFERENCES invoices (id),
    tenant_id    TEXT NOT NULL,
    lines        TEXT NOT NULL,
    previous     TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at BIGINT NOT NULL
);
CREATE INDEX line_corrections_invoice ON line_corrections (invoice_id, corrected_at, seq);
