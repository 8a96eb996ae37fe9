// The reconciliation job: which trackings have gone quiet, and the status
// query to send D1 for each (sending it is the bank's transport).
import { Tracker, buildStatusQuery } from 'd1-tracking';

import { groupBy } from './group.mjs';
import { importHook, withDeadline } from './hooks.mjs';
import { every } from './schedule.mjs';

const PAGE = 500;
// The advisory lock that keeps one reconciler per PostgreSQL database.
const RECONCILE_LOCK = 0x6431_7263; // "d1rc"

/**
 * One pass over every card's row, a page at a time in a scratch tracker.
 * Awaits `onDue({issuerId, cardId, trackingType, reason, sinceMs, operationId,
 * query})` for each tracking due, a page at a time, and calls
 * `onUnreadable({issuerId, cardId, code, message})` for a row the library
 * refuses; stops between pages once `signal` is aborted; returns how many
 * were due.
 */
export async function reconcileOnce({ store, nowMs, quietMs, onDue, onUnreadable, signal }) {
  const tracker = new Tracker();
  let due = 0;
  try {
    let after = null;
    while (!signal?.aborted) {
      const page = await store.statesPage(after, PAGE);
      if (page.length === 0) break;
      // One scratch tracker per issuer of the page: two issuers may hold a
      // card of the same id.
      for (const [issuerId, rows] of groupBy(page, (r) => r.issuerId)) {
        tracker.clear();
        for (const { cardId, state } of rows) {
          try {
            tracker.importCard(state);
          } catch (err) {
            // One unreadable row does not stop the pass over the others.
            onUnreadable?.({ issuerId, cardId, code: err.code, message: err.message });
          }
        }
        for (const item of tracker.dueForReconciliation(nowMs, quietMs)) {
          // A row v2 stored without its issuer ('') cannot be asked about.
          const query = issuerId ? buildStatusQuery({ issuerId, cardId: item.cardId }) : null;
          await onDue({ ...item, issuerId, query });
          due++;
        }
      }
      after = page[page.length - 1];
    }
  } finally {
    tracker.free();
  }
  return due;
}

/**
 * The configured hook for due trackings: RECONCILE_MODULE's default export
 * when set (`onDue(tracking, {signal})`, may return a promise: the bank sends
 * `tracking.query` to D1 with its credentials), else one `status_query` log
 * line per tracking.
 */
export async function configuredDueHook(config, log) {
  if (config.reconcileModule !== null) return importHook('RECONCILE_MODULE', config.reconcileModule, '(tracking, {signal})');
  return (item) => log({
    level: 'info', event: 'status_query', issuerId: item.issuerId, cardId: item.cardId,
    trackingType: item.trackingType, reason: item.reason, sinceMs: item.sinceMs, operationId: item.operationId,
    request: item.query && { method: item.query.method, path: item.query.path },
  });
}

/** What makes a due tracking the same one again: nothing was received for it since. */
const dueKey = (item) => JSON.stringify([item.issuerId, item.cardId, item.trackingType, item.operationId, item.reason, item.sinceMs]);

/**
 * Runs reconcileOnce every `intervalMs` (0: never) until stopped, handing
 * each due tracking to `onDue`. A tracking handed on is not handed again
 * while it stays the same (nothing received for it) until `repeatMs` has
 * passed: the bank's query is under way, and the next notification changes
 * it. A hook that throws, or outlives `timeoutMs` (its signal then aborts),
 * is logged and tried again at the next pass; `stop()` aborts the hook in
 * hand and ends the pass.
 */
export function startReconciler({ store, intervalMs, quietMs, repeatMs, timeoutMs = 30_000, onDue, log }) {
  // Key → when it was handed on; rebuilt each pass from what is still due,
  // so it never holds more than the trackings due now. Per process: after a
  // restart each due tracking is handed on once more.
  let handed = new Map();
  const controller = new AbortController();
  const job = every(intervalMs, async () => {
    const run = async () => {
      const started = Date.now();
      const seen = new Map();
      const counts = { due: 0, handed: 0, failed: 0 };
      await reconcileOnce({
        store, nowMs: started, quietMs, signal: controller.signal,
        onDue: async (item) => {
          counts.due++;
          const key = dueKey(item);
          const last = handed.get(key);
          if (last !== undefined && started - last < repeatMs) {
            seen.set(key, last);
            return;
          }
          if (controller.signal.aborted) return;
          try {
            await withDeadline((signal) => onDue(item, { signal }),
              { timeoutMs, parent: controller.signal, code: 'HOOK_TIMEOUT', what: 'the hook' });
            seen.set(key, started);
            counts.handed++;
          } catch (err) {
            counts.failed++;
            log({ level: 'error', event: 'reconcile_hook_failed', issuerId: item.issuerId, cardId: item.cardId,
              trackingType: item.trackingType, message: String(err?.message ?? err) });
          }
        },
        onUnreadable: (row) => log({ level: 'error', event: 'row_unreadable', ...row }),
      });
      handed = seen;
      log({ level: 'info', event: 'reconciled', ...counts, ms: Date.now() - started });
    };
    try {
      if (store.exclusively) {
        await store.exclusively(RECONCILE_LOCK, run);
      } else {
        await run();
      }
    } catch (err) {
      log({ level: 'error', event: 'reconcile_failed', message: String(err?.message ?? err) });
    }
  });
  return {
    stop: async () => {
      controller.abort();
      await job.stop();
    },
  };
}
