// What both stores read the same way: the outbox rows they hand on, and the
// figures /metrics shows.

/** How long a body's count of transient failures is kept after its last one. */
export const ATTEMPTS_KEPT_MS = 24 * 3600 * 1000;

/** A dead letter's columns, every one present (`rawBytes`: the exact bytes, from `raw` when not given). */
export function deadLetterRow(l) {
  return {
    receivedMs: l.receivedMs, issuerId: l.issuerId ?? null, scope: l.scope, cardId: l.cardId ?? null,
    operationId: l.operationId ?? null, code: l.code, path: l.path ?? null, message: l.message, raw: l.raw,
    rawBytes: l.rawBytes ?? Buffer.from(l.raw),
  };
}

/** An outbox row as the dispatcher hands it on. */
export function outboxRow(r) {
  return {
    id: Number(r.id),
    cardId: r.card_id,
    seq: Number(r.seq),
    trackingType: r.tracking_type,
    field: r.field,
    old: JSON.parse(r.old),
    new: JSON.parse(r.new),
    createdMs: Number(r.created_ms),
  };
}

/** The figures of /metrics, in one statement both databases run. */
export const STATS_SQL = `SELECT
  (SELECT count(*) FROM cards WHERE state IS NOT NULL) AS cards,
  (SELECT count(*) FROM outbox WHERE done_ms IS NULL) AS outbox_pending,
  (SELECT min(created_ms) FROM outbox WHERE done_ms IS NULL) AS outbox_oldest_ms,
  (SELECT count(*) FROM dead_letters) AS dead_letters`;

/** STATS_SQL's row, as numbers (PostgreSQL returns bigints as text). */
export function statsRow(s) {
  return {
    cards: Number(s.cards),
    outboxPending: Number(s.outbox_pending),
    outboxOldestMs: s.outbox_oldest_ms === null ? null : Number(s.outbox_oldest_ms),
    deadLetters: Number(s.dead_letters),
  };
}
