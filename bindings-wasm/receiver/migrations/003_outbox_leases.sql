-- v3: an outbox that never stalls (README, "The outbox"). A card's pending
-- rows are claimed by a lease instead of a transaction held across the
-- callback; a failed delivery is tried again after a back-off, and a card's
-- queue is parked after OUTBOX_MAX_ATTEMPTS without blocking the others.
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
-- Not to be handed on before this time (the back-off).
ALTER TABLE outbox ADD COLUMN next_ms BIGINT;
-- The last delivery's error.
ALTER TABLE outbox ADD COLUMN last_error TEXT;
-- Claimed by `lease_owner` until `lease_until`; past it, another dispatcher may claim it.
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
-- Set when the card's queue was parked; cleared by a re-drive.
ALTER TABLE outbox ADD COLUMN parked_ms BIGINT;
