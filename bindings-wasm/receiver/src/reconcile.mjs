// The reconciliation job: which trackings have gone quiet, and the status
// query to send D1 for each (sending it is the bank's transport).
import { Tracker, buildStatusQuery } from 'd1-tracking';

import { every } from './schedule.mjs';

const PAGE = 500;
// The advisory lock that keeps one reconciler per PostgreSQL database.
const RECONCILE_LOCK = 0x6431_7263; // "d1rc"

/**
 * One pass over every card's row, a page at a time in a scratch tracker.
 * Calls `onDue({cardId, trackingType, reason, sinceMs, operationId, query})`
 * for each tracking due, and `onUnreadable({cardId, code, message})` for a
 * row the library refuses; returns how many are due.
 */
export async function reconcileOnce({ store, nowMs, quietMs, onDue, onUnreadable }) {
  const tracker = new Tracker();
  let due = 0;
  try {
    let after = '';
    for (;;) {
      const page = await store.statesPage(after, PAGE);
      if (page.length === 0) break;
      const issuers = new Map();
      tracker.clear();
      for (const { cardId, issuerId, state } of page) {
        try {
          tracker.importCard(state);
          issuers.set(cardId, issuerId);
        } catch (err) {
          // One unreadable row does not stop the pass over the others.
          onUnreadable?.({ cardId, code: err.code, message: err.message });
        }
      }
      for (const item of tracker.dueForReconciliation(nowMs, quietMs)) {
        const issuerId = issuers.get(item.cardId);
        const query = issuerId ? buildStatusQuery({ issuerId, cardId: item.cardId }) : null;
        onDue({ ...item, query });
        due++;
      }
      after = page[page.length - 1].cardId;
    }
  } finally {
    tracker.free();
  }
  return due;
}

/** Runs reconcileOnce every `intervalMs` (0: never) until stopped. */
export function startReconciler({ store, intervalMs, quietMs, log }) {
  return every(intervalMs, async () => {
    const run = async () => {
      const started = Date.now();
      const due = await reconcileOnce({
        store, nowMs: started, quietMs,
        onDue: (item) => log({ level: 'info', event: 'status_query', cardId: item.cardId,
          trackingType: item.trackingType, reason: item.reason, sinceMs: item.sinceMs,
          operationId: item.operationId, request: item.query && { method: item.query.method, path: item.query.path } }),
        onUnreadable: (row) => log({ level: 'error', event: 'row_unreadable', ...row }),
      });
      log({ level: 'info', event: 'reconciled', due, ms: Date.now() - started });
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
}
