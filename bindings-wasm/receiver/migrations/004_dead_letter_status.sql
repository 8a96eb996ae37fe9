-- v3: a dead letter has a status (README, "Re-driving dead letters"): open
-- until a re-drive folds it (`redriven`) or an operator sets it aside
-- (`discarded`). A re-drive that fails again leaves a new open letter whose
-- `redrive_of` names this one, so an alert on open letters clears only when
-- the cause is gone.
ALTER TABLE dead_letters ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE dead_letters ADD COLUMN resolved_ms BIGINT;
ALTER TABLE dead_letters ADD COLUMN redrive_of BIGINT;
CREATE INDEX dead_letters_open ON dead_letters (status, id);
