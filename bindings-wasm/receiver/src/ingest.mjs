// What the receiver does with a notification body or a Track Card request,
// independent of HTTP and of the database: fold against the rows of the cards
// concerned and plan what the transaction writes (rows, outbox, dead letters).
import { D1TrackingError, Tracker } from 'd1-tracking';

/** Thrown inside a transaction to roll it back and answer 503: D1 sends the body again. */
export class RetryLater extends Error {
  constructor(message) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** The first bytes of a rejected body kept in its dead letter (the rest is counted, not kept). */
export const DEAD_LETTER_RAW_BYTES = 1024 * 1024;

export class Ingest {
  /**
   * @param {{store: object, trackerOptions?: object, log?: (entry: object) => void}} options
   */
  constructor({ store, trackerOptions = {}, log = () => {} }) {
    this.store = store;
    this.trackerOptions = trackerOptions;
    this.log = log;
    // A scratch tracker: foldRows and recordRequestOnRow never change it.
    this.tracker = new Tracker(trackerOptions);
  }

  /** Runs a library call, adding its time to `timing.libraryMs`; a trap replaces the scratch tracker. */
  #library(timing, fn) {
    const started = performance.now();
    try {
      return fn(this.tracker);
    } catch (err) {
      if (err instanceof D1TrackingError && err.code === 'WASM_TRAP') {
        this.log({ level: 'error', event: 'wasm_trap', message: err.message });
        this.tracker = new Tracker(this.trackerOptions);
        throw new RetryLater(`the library trapped: ${err.message}`);
      }
      throw err;
    } finally {
      timing.libraryMs += performance.now() - started;
    }
  }

  /**
   * Runs a transaction, adding its time but the library's inside it to
   * `timing.databaseMs`.
   */
  async #database(timing, fn) {
    const started = performance.now();
    const libraryBefore = timing.libraryMs;
    try {
      return await fn();
    } finally {
      timing.databaseMs += performance.now() - started - (timing.libraryMs - libraryBefore);
    }
  }

  /**
   * Folds one notification body from D1 in one transaction.
   * @returns {Promise<{status: number, body?: object, timing: object}>}
   *   204; 400 with `{code, path, message}` for a body rejected whole (kept
   *   as a dead letter); 503 (by throwing RetryLater) when an operation must
   *   be retried. `timing`: milliseconds inside d1-tracking (`libraryMs`)
   *   and in the database's calls (`databaseMs`).
   */
  async notifications(issuerId, body) {
    const timing = { libraryMs: 0, databaseMs: 0 };
    const receivedMs = Date.now();
    let cardIds;
    try {
      cardIds = this.#library(timing, (t) => t.cardsOfBody(body));
    } catch (err) {
      if (!(err instanceof D1TrackingError)) throw err;
      const error = { code: err.code, path: err.path ?? null, message: err.message };
      await this.#database(timing, () => this.store.addDeadLetters([{
        receivedMs, issuerId, scope: 'body', cardId: null, operationId: null, ...error,
        raw: rawText(body),
      }]));
      this.log({ level: 'warn', event: 'body_rejected', issuerId, ...error });
      return { status: 400, body: error, timing };
    }
    const plan = await this.#database(timing, () => this.store.transact(cardIds, (loaded) => {
      const rows = cardIds.map((cardId) => ({ cardId, row: loaded.get(cardId)?.state ?? null }));
      const folded = this.#library(timing, (t) => t.foldRows(body, rows));
      const refused = folded.report.operations.find((op) => op.outcome === 'rejected' && op.retry);
      if (refused) {
        throw new RetryLater(`operation ${refused.index} refused for now: ${refused.error?.message}`);
      }
      const deadLetters = folded.report.operations
        .filter((op) => op.outcome === 'rejected')
        .map((op) => ({
          receivedMs, issuerId, scope: 'operation', cardId: op.cardId, operationId: op.operationId,
          code: op.error.code, path: op.error.path, message: op.error.message, raw: op.raw ?? '',
        }));
      return {
        nowMs: receivedMs,
        cards: folded.cards.map((update) => cardPlan(update, issuerId, loaded.get(update.cardId))),
        deadLetters,
        report: folded.report,
      };
    }));
    for (const letter of plan.deadLetters) {
      this.log({ level: 'warn', event: 'operation_rejected', issuerId, cardId: letter.cardId,
        operationId: letter.operationId, code: letter.code, path: letter.path });
    }
    return { status: 204, timing };
  }

  /**
   * A body larger than the receiver reads: a dead letter of its first
   * `limit` bytes, and the 413 answer's `{code, path, message}`.
   */
  async oversized(issuerId, partial, limit) {
    const timing = { libraryMs: 0, databaseMs: 0 };
    const error = { code: 'PAYLOAD_TOO_LARGE', path: null, message: `the body is larger than ${limit} bytes` };
    await this.#database(timing, () => this.store.addDeadLetters([{
      receivedMs: Date.now(), issuerId, scope: 'body', cardId: null, operationId: null, ...error,
      raw: `${rawText(partial)}…[the rest was not read]`,
    }]));
    this.log({ level: 'warn', event: 'body_rejected', issuerId, ...error });
    return { status: 413, body: error, timing };
  }

  /**
   * Records a Track Card request the bank sent D1 for `cardId`; its changes
   * (the phase, for a new card) go to the outbox like any other.
   * @returns {Promise<{status: number, body: object, timing: object}>} 200 with `{view, changes}`.
   */
  async trackingRequest(cardId, trackingType, atMs) {
    const timing = { libraryMs: 0, databaseMs: 0 };
    const plan = await this.#database(timing, () => this.store.transact([cardId], (loaded) => {
      const before = loaded.get(cardId);
      const update = this.#library(timing, (t) =>
        t.recordRequestOnRow({ cardId, row: before?.state ?? null }, trackingType, atMs));
      const unchanged = update.row === before?.state;
      return {
        nowMs: Date.now(),
        cards: unchanged ? [] : [cardPlan(update, null, before)],
        deadLetters: [],
        update,
      };
    }));
    return { status: 200, body: { view: plan.update.view, changes: plan.update.changes }, timing };
  }

  /** Releases the scratch tracker's WebAssembly memory. */
  free() {
    this.tracker.free();
  }
}

/** What the transaction writes for one changed card: its row and its outbox rows, numbered on. */
function cardPlan(update, issuerId, before) {
  const first = before?.seq ?? 0;
  return {
    cardId: update.cardId,
    issuerId,
    state: update.row,
    view: JSON.stringify(update.view),
    phase: update.view.phase,
    seq: first + update.changes.length,
    outbox: update.changes.map((change, i) => ({
      seq: first + i + 1,
      trackingType: change.trackingType,
      field: change.field,
      old: JSON.stringify(change.old),
      new: JSON.stringify(change.new),
    })),
  };
}

/** A rejected body's text for its dead letter: invalid UTF-8 replaced, bounded. */
function rawText(body) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const kept = bytes.subarray(0, DEAD_LETTER_RAW_BYTES);
  const text = kept.toString('utf8');
  return bytes.length > kept.length ? `${text}…[${bytes.length - kept.length} more bytes not kept]` : text;
}
