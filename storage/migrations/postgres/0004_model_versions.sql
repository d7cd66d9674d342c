-- Layout model versions (issue 14, part 2). The files of a version live in
-- the blob store under models/{id}/. Which version is active is what the
-- event log says: a promotion stacks a version, a rollback pops the top one
-- (invex_domain::service::active_model); no row means the workers' own model.
CREATE TABLE model_versions (
    id          TEXT PRIMARY KEY,
    parent      TEXT,
    name        TEXT NOT NULL,
    data_hash   TEXT,
    metrics     TEXT,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE TABLE model_events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action      TEXT NOT NULL,
    version_id  TEXT REFERENCES model_versions (id),
    by_whom     TEXT NOT NULL,
    at          BIGINT NOT NULL
);
-- The model version that made each result, for accuracy per version.
ALTER TABLE invoices ADD COLUMN model_version TEXT;
