// Retention (README, "Retention"): done outbox rows and resolved dead letters
// older than their retention are deleted on a schedule, a page at a time, so
// that neither table grows for ever and no delete holds a lock for long.
// Open dead letters and undelivered outbox rows are never deleted.
import { every } from './schedule.mjs';

const DAY_MS = 24 * 3600 * 1000;
/** Rows deleted per statement. */
const PAGE = 1000;
// A fixed key for the advisory lock of one pruning pass across hosts.
const RETENTION_LOCK = 0x6431_7270; // "d1rp"

/** One pass: deletes until nothing old is left; resolves to `{outbox, deadLetters}` deleted. */
export async function pruneOnce({ store, nowMs, outboxDays, deadLetterDays }) {
  const deleted = { outbox: 0, deadLetters: 0 };
  for (;;) {
    const n = await store.prune({
      outboxBeforeMs: nowMs - outboxDays * DAY_MS, lettersBeforeMs: nowMs - deadLetterDays * DAY_MS, limit: PAGE,
    });
    deleted.outbox += n.outbox;
    deleted.deadLetters += n.deadLetters;
    if (n.outbox < PAGE && n.deadLetters < PAGE) return deleted;
  }
}

/** Runs pruneOnce every `intervalMs` (0: never); `stop()` waits for the pass in hand. */
export function startRetention({ store, intervalMs, outboxDays, deadLetterDays, log }) {
  return every(intervalMs, async () => {
    const run = async () => {
      const started = Date.now();
      const deleted = await pruneOnce({ store, nowMs: started, outboxDays, deadLetterDays });
      if (deleted.outbox > 0 || deleted.deadLetters > 0) {
        log({ level: 'info', event: 'pruned', ...deleted, ms: Date.now() - started });
      }
    };
    try {
      if (store.exclusively) await store.exclusively(RETENTION_LOCK, run);
      else await run();
    } catch (err) {
      log({ level: 'error', event: 'prune_failed', code: err?.code, message: String(err?.message ?? err) });
    }
  });
}
