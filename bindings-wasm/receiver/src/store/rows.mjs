// What both stores read the same way: the outbox rows they hand on, and the
// figures /metrics shows.

/** How long a body's count of transient failures is kept after its last one. */
export const ATTEMPTS_KEPT_MS = 24 * 3600 * 1000;

/** A dead letter's columns, every one present (`rawBytes`: the exact bytes, from `raw` when not given). */
export function deadLetterRow(l) {
  return {
    receivedMs: l.receivedMs, issuerId: l.issuerId ?? null, scope: l.scope, cardId: l.cardId ?? null,
    operationId: l.operationId ?? null, code: l.code, path: l.path ?? null, message: l.message, raw: l.raw,
    rawBytes: l.rawBytes ?? Buffer.from(l.raw), redriveOf: l.redriveOf ?? null,
  };
}

/** The columns of a dead letter as the re-drive and the admin routes read them. */
export const DEAD_LETTER_COLUMNS = `id, received_ms, issuer_id, scope, card_id, operation_id, code, path, message,
  raw_bytes, raw, status, resolved_ms, redrive_of`;

/** A dead letter row, with `rawBytes` (its exact bytes, or its text for a letter older than migration 002). */
export function deadLetterOut(r) {
  return {
    id: Number(r.id), receivedMs: Number(r.received_ms), issuerId: r.issuer_id, scope: r.scope, cardId: r.card_id,
    operationId: r.operation_id, code: r.code, path: r.path, message: r.message,
    rawBytes: r.raw_bytes === null ? Buffer.from(r.raw) : Buffer.from(r.raw_bytes),
    status: r.status, resolvedMs: r.resolved_ms === null ? null : Number(r.resolved_ms),
    redriveOf: r.redrive_of === null ? null : Number(r.redrive_of),
  };
}

/** An outbox row as the dispatcher hands it on. */
export function outboxRow(r) {
  return {
    id: Number(r.id),
    issuerId: r.issuer_id,
    cardId: r.card_id,
    seq: Number(r.seq),
    trackingType: r.tracking_type,
    field: r.field,
    old: JSON.parse(r.old),
    new: JSON.parse(r.new),
    createdMs: Number(r.created_ms),
    attempts: Number(r.attempts ?? 0),
  };
}

/**
 * The outbox rows a dispatcher may claim now, oldest first, at most `limit`
 * (parameters: now, limit): the pending rows of cards whose first pending
 * row is not parked, not waiting for its back-off and not leased. A card's
 * rows are in `id` order, so the limit keeps a prefix of each card's queue.
 * `{{lock}}` is PostgreSQL's FOR UPDATE SKIP LOCKED (nothing on SQLite, which
 * has one dispatcher per file and one writer at a time). The heads' rows are
 * found through outbox_pending, a card at a time (a row-value IN: a correlated
 * EXISTS walked every pending row instead).
 */
export const CLAIMABLE_SQL = `WITH heads AS (
    SELECT h.issuer_id, h.card_id FROM outbox h
    WHERE h.done_ms IS NULL AND h.parked_ms IS NULL
      AND (h.next_ms IS NULL OR h.next_ms <= $1)
      AND (h.lease_until IS NULL OR h.lease_until <= $1)
      AND NOT EXISTS (SELECT 1 FROM outbox p
        WHERE p.issuer_id = h.issuer_id AND p.card_id = h.card_id AND p.done_ms IS NULL AND p.seq < h.seq)
    ORDER BY h.id LIMIT $2 {{lock}})
  SELECT id, issuer_id, card_id, seq, tracking_type, field, old, new, created_ms, attempts FROM outbox
  WHERE done_ms IS NULL AND (issuer_id, card_id) IN (SELECT issuer_id, card_id FROM heads)
  ORDER BY id LIMIT $2`;

/** The cards whose outbox queue is parked, with the error that parked it (parameter: limit). */
export const PARKED_SQL = `SELECT issuer_id, card_id, seq, attempts, last_error, parked_ms FROM outbox
  WHERE done_ms IS NULL AND parked_ms IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM outbox p WHERE p.issuer_id = outbox.issuer_id AND p.card_id = outbox.card_id
      AND p.done_ms IS NULL AND p.seq < outbox.seq)
  ORDER BY parked_ms, issuer_id, card_id LIMIT $1`;

/** PARKED_SQL's row. */
export function parkedRow(r) {
  return {
    issuerId: r.issuer_id, cardId: r.card_id, seq: Number(r.seq), attempts: Number(r.attempts), lastError: r.last_error,
    parkedMs: Number(r.parked_ms),
  };
}

/** The figures of /metrics, in one statement both databases run. */
export const STATS_SQL = `SELECT
  (SELECT count(*) FROM cards WHERE state IS NOT NULL) AS cards,
  (SELECT count(*) FROM outbox WHERE done_ms IS NULL) AS outbox_pending,
  (SELECT min(created_ms) FROM outbox WHERE done_ms IS NULL) AS outbox_oldest_ms,
  (SELECT count(*) FROM dead_letters) AS dead_letters,
  (SELECT count(*) FROM dead_letters WHERE status = 'open') AS dead_letters_open,
  (SELECT count(*) FROM (SELECT DISTINCT issuer_id, card_id FROM outbox
    WHERE done_ms IS NULL AND parked_ms IS NOT NULL) AS q) AS outbox_parked_cards`;

/** One string per card (issuer and id), for grouping rows by card. */
export const cardKey = (issuerId, cardId) => `${issuerId}/${cardId}`;

/**
 * Migration 006 left rows without an issuer (''); these give them to $1 (the
 * receiver's ISSUER_ID), except for a card id that issuer holds too. The
 * outbox first, while its cards still tell which are taken.
 */
export const ADOPT_SQL = [
  `UPDATE outbox SET issuer_id = $1 WHERE issuer_id = ''
    AND card_id NOT IN (SELECT card_id FROM cards WHERE issuer_id = $1)`,
  `UPDATE cards SET issuer_id = $1 WHERE issuer_id = ''
    AND card_id NOT IN (SELECT card_id FROM cards WHERE issuer_id = $1)`,
];

/** A card whose delivery failed, from failOutbox's row (issuer_id, card_id, attempts, parked_ms). */
export function failedCard(r) {
  return { issuerId: r.issuer_id, cardId: r.card_id, attempts: Number(r.attempts), parked: r.parked_ms !== null };
}

/** A stored card's row as the re-derive reads it (issuer_id, card_id, state, view, view_version, outbox_seq). */
export function storedRow(r) {
  return {
    issuerId: r.issuer_id, cardId: r.card_id, state: r.state, view: r.view, viewVersion: r.view_version,
    seq: Number(r.outbox_seq),
  };
}

/** A card's open dead letters by code (parameters: issuer, card): what its view shows as `parked`. */
export const PARKED_OF_CARD_SQL = `SELECT code, count(*) AS operations, min(received_ms) AS since_ms FROM dead_letters
  WHERE issuer_id = $1 AND card_id = $2 AND status = 'open' GROUP BY code ORDER BY code`;

/** PARKED_OF_CARD_SQL's row. */
export function parkedOfCardRow(r) {
  return { code: r.code, operations: Number(r.operations), sinceMs: Number(r.since_ms) };
}

/** STATS_SQL's row, as numbers (PostgreSQL returns bigints as text). */
export function statsRow(s) {
  return {
    cards: Number(s.cards),
    outboxPending: Number(s.outbox_pending),
    outboxOldestMs: s.outbox_oldest_ms === null ? null : Number(s.outbox_oldest_ms),
    deadLetters: Number(s.dead_letters),
    deadLettersOpen: Number(s.dead_letters_open),
    outboxParkedCards: Number(s.outbox_parked_cards),
  };
}
