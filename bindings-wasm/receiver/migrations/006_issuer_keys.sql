-- v3: a card is known by its issuer and its id (README, "The schema"): two
-- issuers served by one receiver may use the same card id, and the last
-- issuer to notify no longer overwrites the row's issuer. A row v2 wrote
-- without an issuer (a Track Card request recorded before any notification)
-- keeps the issuer '' (docs/decisions.md, "Card rows keyed by issuer").
--
-- The two databases change a table's unique key differently: the lines
-- between `-- {{postgres}}` and `-- {{end}}` are PostgreSQL's only, those
-- between `-- {{sqlite}}` and `-- {{end}}` SQLite's only (migrations.mjs).

-- The outbox rows take their card's issuer before the cards change.
-- {{postgres}}
ALTER TABLE outbox ADD COLUMN issuer_id TEXT NOT NULL DEFAULT '';
UPDATE outbox SET issuer_id = cards.issuer_id FROM cards
  WHERE cards.card_id = outbox.card_id AND cards.issuer_id IS NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_card_id_seq_key;
ALTER TABLE outbox ADD CONSTRAINT outbox_card_seq UNIQUE (issuer_id, card_id, seq);
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (issuer_id, card_id, seq) WHERE done_ms IS NULL;
-- {{end}}
-- {{sqlite}}
CREATE TABLE outbox_006 (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  issuer_id      TEXT NOT NULL DEFAULT '',
  card_id        TEXT NOT NULL,
  seq            BIGINT NOT NULL,
  tracking_type  TEXT,
  field          TEXT NOT NULL,
  old            TEXT NOT NULL,
  new            TEXT NOT NULL,
  created_ms     BIGINT NOT NULL,
  done_ms        BIGINT,
  attempts       BIGINT NOT NULL DEFAULT 0,
  next_ms        BIGINT,
  last_error     TEXT,
  lease_until    BIGINT,
  lease_owner    TEXT,
  parked_ms      BIGINT,
  UNIQUE (issuer_id, card_id, seq)
);
INSERT INTO outbox_006 (id, issuer_id, card_id, seq, tracking_type, field, old, new, created_ms, done_ms,
    attempts, next_ms, last_error, lease_until, lease_owner, parked_ms)
  SELECT o.id, coalesce((SELECT c.issuer_id FROM cards c WHERE c.card_id = o.card_id), ''), o.card_id, o.seq,
    o.tracking_type, o.field, o.old, o.new, o.created_ms, o.done_ms, o.attempts, o.next_ms, o.last_error,
    o.lease_until, o.lease_owner, o.parked_ms
  FROM outbox o;
-- The ids handed out stay handed out (an outbox reader keeps the first line
-- of each id): the new table's AUTOINCREMENT counter starts where the old
-- one stood, even when retention had deleted the newest rows.
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'outbox_006', seq FROM sqlite_sequence WHERE name = 'outbox'
    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox_006');
UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('outbox', 'outbox_006'))
  WHERE name = 'outbox_006';
DROP TABLE outbox;
ALTER TABLE outbox_006 RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (issuer_id, card_id, seq) WHERE done_ms IS NULL;
CREATE INDEX outbox_done ON outbox (done_ms) WHERE done_ms IS NOT NULL;
CREATE INDEX outbox_pending_id ON outbox (id) WHERE done_ms IS NULL;
-- {{end}}

-- The cards, keyed by the pair. PostgreSQL changes the table in place, so
-- the grants a service role was given on it stay; its two key columns
-- compare bytewise ("C"), the order the receiver locks cards in, so that a
-- page of `npm run rederive` and a notification lock in one order. SQLite
-- rebuilds the table. `view_version` is the d1-tracking version that wrote
-- `view` (NULL: an earlier one): a fold by another version takes the old
-- values of its outbox rows from the stored view (README, "Upgrades").
-- {{postgres}}
UPDATE cards SET issuer_id = '' WHERE issuer_id IS NULL;
ALTER TABLE cards ALTER COLUMN issuer_id SET NOT NULL;
ALTER TABLE cards ALTER COLUMN issuer_id TYPE TEXT COLLATE "C";
ALTER TABLE cards ALTER COLUMN card_id TYPE TEXT COLLATE "C";
ALTER TABLE cards DROP CONSTRAINT cards_pkey;
ALTER TABLE cards ADD PRIMARY KEY (issuer_id, card_id);
ALTER TABLE cards ADD COLUMN view_version TEXT;
-- {{end}}
-- {{sqlite}}
CREATE TABLE cards_006 (
  issuer_id     TEXT NOT NULL,
  card_id       TEXT NOT NULL,
  state         TEXT,
  view          TEXT,
  phase         TEXT,
  outbox_seq    BIGINT NOT NULL DEFAULT 0,
  updated_ms    BIGINT,
  view_version  TEXT,
  PRIMARY KEY (issuer_id, card_id)
);
INSERT INTO cards_006 (issuer_id, card_id, state, view, phase, outbox_seq, updated_ms)
  SELECT coalesce(issuer_id, ''), card_id, state, view, phase, outbox_seq, updated_ms FROM cards;
DROP TABLE cards;
ALTER TABLE cards_006 RENAME TO cards;
-- {{end}}
-- The read routes find a card by its id alone when one issuer holds it.
CREATE INDEX cards_card ON cards (card_id);
-- A card's open dead letters, shown with its view (`parked`).
CREATE INDEX dead_letters_card_open ON dead_letters (issuer_id, card_id) WHERE status = 'open';
