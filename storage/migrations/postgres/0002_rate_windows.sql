-- Requests per API key and minute, shared by every API process on the
-- database (the per-key rate limit). Old windows are deleted as new ones open.
CREATE TABLE rate_windows (
    key_id   TEXT NOT NULL,
    minute   BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (key_id, minute)
);
CREATE INDEX rate_windows_minute ON rate_windows (minute);
