-- v3: what cannot be folded is parked, never lost or retried for ever
-- (README, "What happens to a body"). `{{bytes}}` is SQLite's BLOB,
-- PostgreSQL's BYTEA.

-- A dead letter's bytes exactly as D1 sent them (`raw` is their text, with
-- invalid UTF-8 and NUL replaced by U+FFFD: PostgreSQL's text cannot hold NUL).
-- NULL in rows written before this migration, whose `raw` is all there is.
ALTER TABLE dead_letters ADD COLUMN raw_bytes {{bytes}};

-- How often a body (by the SHA-256 of its bytes) has failed transiently while
-- the database took writes; past MAX_BODY_ATTEMPTS it is parked. Rows older
-- than a day are dropped whenever one is counted.
CREATE TABLE body_attempts (
  digest      TEXT PRIMARY KEY,
  issuer_id   TEXT,
  attempts    BIGINT NOT NULL,
  first_ms    BIGINT NOT NULL,
  last_ms     BIGINT NOT NULL,
  last_error  TEXT NOT NULL
);
CREATE INDEX body_attempts_last ON body_attempts (last_ms);
