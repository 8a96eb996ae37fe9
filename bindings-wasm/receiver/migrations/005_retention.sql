-- v3: retention (README, "Retention"): done outbox rows and resolved dead
-- letters older than their retention are deleted on a schedule; these
-- indexes keep the deletes from scanning the tables.
CREATE INDEX outbox_done ON outbox (done_ms) WHERE done_ms IS NOT NULL;
CREATE INDEX dead_letters_resolved ON dead_letters (resolved_ms) WHERE resolved_ms IS NOT NULL;

-- The outbox's claim walks pending rows in id order and stops at its limit;
-- without this it walked every done row first (rows.mjs, CLAIMABLE_SQL).
CREATE INDEX outbox_pending_id ON outbox (id) WHERE done_ms IS NULL;
