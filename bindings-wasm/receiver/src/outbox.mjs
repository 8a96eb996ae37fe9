// The outbox dispatcher and the reference callback.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';

/**
 * The reference callback: appends one JSON line per change to `file`
 * (`{"id", "cardId", "seq", "trackingType", "field", "old", "new"}`) and
 * syncs it before the rows are marked done. A crash between the two repeats
 * lines; a reader keeps the first line of each `id`. A bank replaces this
 * with its own notifier (a queue, a webhook), keyed by `id` the same way.
 */
export function appendToLog(file) {
  return async (rows) => {
    const lines = rows.map((r) => JSON.stringify({
      id: r.id, cardId: r.cardId, seq: r.seq, trackingType: r.trackingType,
      field: r.field, old: r.old, new: r.new,
    })).join('\n') + '\n';
    // One write() of an O_APPEND descriptor: lines of several workers never interleave.
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, lines);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
}

/**
 * Hands the outbox to `deliver` until stopped: a batch at a time while rows
 * are pending, then every `pollMs`. Failures (the callback's, the
 * database's) are logged and retried after `pollMs`: nothing is marked done
 * unless delivered.
 */
export function startDispatcher({ store, deliver, batch, pollMs, log }) {
  let stopped = false;
  let timer = null;
  let wake = null;
  const loop = (async () => {
    while (!stopped) {
      let handed = 0;
      try {
        handed = await store.dispatch(batch, deliver);
      } catch (err) {
        log({ level: 'error', event: 'outbox_failed', message: String(err?.message ?? err) });
      }
      if (handed === 0 && !stopped) {
        await new Promise((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, pollMs);
        });
      }
    }
  })();
  return {
    /** Finishes the batch in hand, then stops. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
