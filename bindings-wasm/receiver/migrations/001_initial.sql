-- The receiver's schema, for SQLite and PostgreSQL alike (README.md explains
-- it). `{{identity}}` is the one word the two spell differently: SQLite's
-- INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL's BIGINT GENERATED ALWAYS AS
-- IDENTITY PRIMARY KEY (ids are never reused, even after pruning).

-- One row per card: the library's per-card export (`state`; NULL only while
-- a first notification is being folded), the view it derives (served by
-- GET /cards/{cardId}), and the last outbox sequence.
CREATE TABLE cards (
  card_id     TEXT PRIMARY KEY,
  issuer_id   TEXT,
  state       TEXT,
  view        TEXT,
  phase       TEXT,
  outbox_seq  BIGINT NOT NULL DEFAULT 0,
  updated_ms  BIGINT
);

-- One row per change of a card's view, in order per card (`seq`), until the
-- dispatcher has handed it to the callback (`done_ms`).
CREATE TABLE outbox (
  id             {{identity}},
  card_id        TEXT NOT NULL,
  seq            BIGINT NOT NULL,
  tracking_type  TEXT,
  field          TEXT NOT NULL,
  old            TEXT NOT NULL,
  new            TEXT NOT NULL,
  created_ms     BIGINT NOT NULL,
  done_ms        BIGINT,
  UNIQUE (card_id, seq)
);
CREATE INDEX outbox_pending ON outbox (card_id, seq) WHERE done_ms IS NULL;

-- What D1 sent and the library rejected: a whole body (`scope` = 'body') or
-- one operation of a body ('operation'), with its raw text.
CREATE TABLE dead_letters (
  id            {{identity}},
  received_ms   BIGINT NOT NULL,
  issuer_id     TEXT,
  scope         TEXT NOT NULL,
  card_id       TEXT,
  operation_id  TEXT,
  code          TEXT NOT NULL,
  path          TEXT,
  message       TEXT NOT NULL,
  raw           TEXT NOT NULL
);
