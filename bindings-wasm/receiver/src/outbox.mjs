// The outbox dispatcher and the reference callback.
import { closeSync, fdatasyncSync, fstatSync, openSync, writeSync } from 'node:fs';
import { groupBy } from './group.mjs';
import { importHook, withDeadline } from './hooks.mjs';
import { workerMetrics } from './metrics.mjs';
import { cardKey } from './store/rows.mjs';

/**
 * The configured callback: OUTBOX_MODULE's default export when set (a
 * function of `(rows, {signal})`), else appendToLog(OUTBOX_LOG).
 */
export async function configuredCallback(config) {
  if (config.outboxModule === null) return appendToLog(config.outboxLog);
  return importHook('OUTBOX_MODULE', config.outboxModule, '(rows, {signal})');
}

/**
 * The reference callback: appends one JSON line per change to `file`
 * (`{"id", "issuerId", "cardId", "seq", "trackingType", "field", "old", "new"}`) and
 * syncs it before the rows are marked done. A crash between the two repeats
 * lines; a reader keeps the first line of each `id`. A bank replaces this
 * with its own notifier (a queue, a webhook), keyed by `id` the same way.
 */
export function appendToLog(file) {
  return async (rows) => {
    const lines = Buffer.from(rows.map((r) => JSON.stringify({
      id: r.id, issuerId: r.issuerId, cardId: r.cardId, seq: r.seq, trackingType: r.trackingType,
      field: r.field, old: r.old, new: r.new,
    })).join('\n') + '\n');
    // One write() of an O_APPEND descriptor: lines of several workers never interleave.
    const fd = openSync(file, 'a');
    try {
      const written = writeSync(fd, lines);
      // A short write (a full disk, a quota) left part of a line: the rows
      // are not done. The cut line is ended, if the disk lets us, so that
      // the next append starts a line of its own; a reader drops the cut
      // line (it is not JSON) and finds the rows again when they are retried.
      if (written !== lines.length) {
        try {
          writeSync(fd, '\n');
        } catch { /* the disk is still full: the next write ends it */ }
        const err = new Error(`wrote ${written} of ${lines.length} bytes to ${file}`);
        err.code = 'SHORT_WRITE';
        throw err;
      }
      // A device (/dev/null, a pipe) has nothing to sync.
      if (fstatSync(fd).isFile()) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
}

/** The back-off before attempt `attempts + 1`: doubling from `firstMs` to `maxMs`, with jitter (half to all of it). */
export function backoffMs(attempts, { firstMs, maxMs }, random = Math.random) {
  const ceiling = Math.min(maxMs, firstMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * Hands the outbox to `deliver(rows, {signal})` until stopped: up to `batch`
 * rows at a time, claimed by a lease (README, "The outbox"). A delivery has
 * `timeoutMs`; past it `signal` aborts and the delivery counts as failed. A
 * failed batch of several cards is delivered again card by card, so that
 * only the card whose rows fail waits: its rows are tried again after a
 * back-off, and its queue is parked after `maxAttempts`. `owner` names this
 * dispatcher in the leases.
 */
export function startDispatcher({
  store, deliver, batch, pollMs, log, owner = `pid-${process.pid}`,
  timeoutMs = 30_000, maxAttempts = 10, retry = { firstMs: 1000, maxMs: 300_000 },
}) {
  let stopped = false;
  let timer = null;
  let wake = null;
  // Aborted (code SHUTDOWN) once stop()'s grace period is over.
  const shutdown = new AbortController();
  const leaseMs = timeoutMs + 5000;

  /** One delivery with its deadline: null when done, else the error. */
  const attempt = async (rows) => {
    try {
      await withDeadline((signal) => deliver(rows, { signal }),
        { timeoutMs, parent: shutdown.signal, code: 'DELIVERY_TIMEOUT', what: 'the callback' });
      return null;
    } catch (err) {
      return err ?? new Error('the callback failed');
    }
  };

  const fail = async (rows, err) => {
    const error = `${err?.code ? `${err.code}: ` : ''}${err?.message ?? err}`;
    const nowMs = Date.now();
    const nextMs = nowMs + backoffMs((rows[0].attempts ?? 0) + 1, retry);
    const cards = await store.failOutbox(rows.map((r) => r.id), { nowMs, nextMs, error, maxAttempts });
    workerMetrics.deliveryFailures.inc(rows.length);
    workerMetrics.parked.inc(cards.filter((c) => c.parked).length);
    for (const c of cards) {
      log({ level: c.parked ? 'error' : 'warn', event: c.parked ? 'outbox_parked' : 'outbox_retry',
        issuerId: c.issuerId, cardId: c.cardId,
        attempts: c.attempts, retryInMs: c.parked ? null : nextMs - nowMs, message: error });
    }
  };

  const complete = async (rows) => {
    await store.completeOutbox(rows.map((r) => r.id), Date.now());
    workerMetrics.delivered.inc(rows.length);
  };

  const once = async () => {
    const rows = await store.claimOutbox({ limit: batch, nowMs: Date.now(), leaseMs, owner });
    if (rows.length === 0) return 0;
    const failed = await attempt(rows);
    if (failed === null) {
      await complete(rows);
      return rows.length;
    }
    // Cut by the shutdown: not the rows' fault, so not an attempt (the
    // lease lets them wait for the next dispatcher).
    if (failed?.code === 'SHUTDOWN') return rows.length;
    const byCard = groupBy(rows, (r) => cardKey(r.issuerId, r.cardId));
    if (byCard.size === 1 || stopped) {
      await fail(rows, failed);
      return rows.length;
    }
    // Which card? Each alone, so the others are handed on.
    for (const cardRows of byCard.values()) {
      if (stopped) break;
      const err = await attempt(cardRows);
      if (err?.code === 'SHUTDOWN') break;
      if (err === null) await complete(cardRows);
      else await fail(cardRows, err);
    }
    return rows.length;
  };

  const loop = (async () => {
    await store.releaseLeases();
    while (!stopped) {
      let handed = 0;
      try {
        handed = await once();
      } catch (err) {
        log({ level: 'error', event: 'outbox_failed', code: err?.code, message: String(err?.message ?? err) });
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
    /**
     * Stops: the delivery in hand may finish within `graceMs`, then its
     * signal aborts (its rows stay pending, leased until the lease expires).
     */
    async stop(graceMs = timeoutMs) {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      const abort = setTimeout(() => {
        const err = new Error('the receiver is stopping');
        err.code = 'SHUTDOWN';
        shutdown.abort(err);
      }, graceMs);
      try {
        await loop;
      } finally {
        clearTimeout(abort);
      }
    },
  };
}
