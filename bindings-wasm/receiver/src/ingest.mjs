// What the receiver does with a notification body or a Track Card request,
// independent of HTTP and of the database: fold against the rows of the cards
// concerned and plan what the transaction writes (rows, outbox, dead letters).
import { createHash } from 'node:crypto';

import { D1TrackingError, Tracker } from 'd1-tracking';

import { outboxRows, viewChanges } from './changes.mjs';
import { LibraryTrap, RetryLater, hostFailure, isTransient, isUnavailable } from './failures.mjs';

export { RetryLater };

/** Thrown out of a dry run's transaction to roll it back, with what it would have written. */
class DryRun extends Error {
  constructor(plan) {
    super('dry run');
    this.plan = plan;
  }
}

/** A row the library cannot read: folding a body against it gives the card's operations back rejected, with their raw text. */
const UNUSABLE_ROW = 'parked by the receiver';

export class Ingest {
  /**
   * @param {{store: object, trackerOptions?: object, maxCardBytes?: number,
   *   maxBodyAttempts?: number, log?: (entry: object) => void}} options
   *   `maxCardBytes`: the largest row a card may have (past it, its
   *   operations are parked); `maxBodyAttempts`: how many transient failures
   *   of one body (by digest) before it is parked.
   */
  constructor({ store, trackerOptions = {}, maxCardBytes = Infinity, maxBodyAttempts = Infinity, log = () => {} }) {
    this.store = store;
    this.trackerOptions = trackerOptions;
    this.maxCardBytes = maxCardBytes;
    this.maxBodyAttempts = maxBodyAttempts;
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
        throw new LibraryTrap(`the library trapped: ${err.message}`);
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
   *   204 once committed — what cannot be folded (an operation, a card) is
   *   parked as a dead letter in the same commit; 400 with `{code, path,
   *   message}` for a body rejected whole (kept as a dead letter); 503 (by
   *   throwing) when the failure is transient. `timing`: milliseconds inside
   *   d1-tracking (`libraryMs`) and in the database's calls (`databaseMs`).
   */
  async notifications(issuerId, body, { redriveOf = null, dryRun = false } = {}) {
    const timing = { libraryMs: 0, databaseMs: 0 };
    const receivedMs = Date.now();
    // A re-drive marks the letter it folds in the same transaction; what
    // fails again is a new letter that names it (README, "Re-driving dead letters").
    const resolve = redriveOf === null ? [] : [{ id: redriveOf, status: 'redriven' }];
    let cardIds;
    try {
      cardIds = this.#library(timing, (t) => t.cardsOfBody(body));
    } catch (err) {
      if (!(err instanceof D1TrackingError)) throw err;
      const error = { code: err.code, path: err.path ?? null, message: err.message };
      const letter = { ...bodyLetter(receivedMs, issuerId, error, body), redriveOf };
      if (!dryRun) await this.#database(timing, () => this.store.addDeadLetters([letter], resolve));
      this.log({ level: 'warn', event: 'body_rejected', issuerId, ...error });
      return { status: 400, body: error, timing, deadLetters: [letter], cards: [] };
    }
    const context = { issuerId, body, cardIds, receivedMs, timing, redriveOf, resolve };
    let letters;
    let cards = [];
    try {
      const plan = await this.#database(timing, () => this.store.transact(issuerId, cardIds, (loaded) => {
        const planned = this.#plan(context, loaded, null);
        if (dryRun) throw new DryRun(planned);
        return planned;
      }));
      letters = plan.deadLetters;
      cards = plan.cards;
    } catch (err) {
      if (err instanceof DryRun) {
        return { status: 204, timing, deadLetters: err.plan.deadLetters, cards: err.plan.cards, dryRun: true };
      }
      if (isTransient(err)) {
        if (err instanceof RetryLater || isUnavailable(err)) throw err;
        // Failing again and again while the database takes writes: parked
        // after maxBodyAttempts, so it is not sent for ever.
        if (redriveOf === null && await this.#attemptsExhausted(context, err)) return { status: 204, timing, deadLetters: [], cards: [] };
        throw err;
      }
      if (dryRun) {
        return { status: 204, timing, deadLetters: [], cards: [], dryRun: true, isolated: hostFailure(err) };
      }
      // Deterministic: one card at a time, so the one at fault is parked and
      // the others fold.
      this.log({ level: 'error', event: 'body_isolated', issuerId, cards: cardIds.length,
        code: err?.code, message: String(err?.message ?? err) });
      letters = await this.#isolate(context);
    }
    for (const letter of letters) {
      this.log({ level: 'warn', event: letter.code === 'HOST_FAILED' || letter.code === 'CARD_TOO_LARGE' ? 'operation_parked' : 'operation_rejected',
        issuerId, cardId: letter.cardId, operationId: letter.operationId, code: letter.code, path: letter.path });
    }
    return { status: 204, timing, deadLetters: letters, cards };
  }

  /**
   * What a transaction writes for the body against the `loaded` rows: the
   * changed cards' rows and outbox rows, and dead letters for what cannot be
   * folded. `only`: a card id to plan that card alone (the other cards are
   * folded against no row and not written).
   */
  #plan({ issuerId, body, cardIds, receivedMs, timing, redriveOf = null, resolve = [] }, loaded, only) {
    const rows = cardIds.map((cardId) => ({
      cardId, row: only === null || cardId === only ? loaded.get(cardId)?.state ?? null : null,
    }));
    const folded = this.#library(timing, (t) => t.foldRows(body, rows));
    const refused = folded.report.operations.find((op) => op.outcome === 'rejected' && op.retry);
    if (refused) {
      throw new RetryLater(`operation ${refused.index} refused for now: ${refused.error?.message}`);
    }
    const mine = (cardId) => only === null || cardId === only;
    // A card whose row would pass the per-card bound is not written; its
    // operations are parked (the bound keeps every request for it cheap).
    const tooLarge = new Map(folded.cards
      .filter((u) => mine(u.cardId) && Buffer.byteLength(u.row) > this.maxCardBytes)
      .map((u) => [u.cardId, Buffer.byteLength(u.row)]));
    const deadLetters = folded.report.operations
      .filter((op) => op.outcome === 'rejected' && mine(op.cardId))
      .map((op) => operationLetter(receivedMs, issuerId, op, op.error));
    if (tooLarge.size > 0) {
      const rejected = new Set(deadLetters.map((l) => l.index));
      for (const op of this.#unfoldable(timing, body, rows, tooLarge.keys())) {
        if (rejected.has(op.index)) continue;
        const bytes = tooLarge.get(op.cardId);
        deadLetters.push(operationLetter(receivedMs, issuerId, op, {
          code: 'CARD_TOO_LARGE', path: null,
          message: `the card's row would be ${bytes} bytes, more than MAX_CARD_BYTES (${this.maxCardBytes}); raise it and re-drive`,
        }));
      }
    }
    for (const letter of deadLetters) letter.redriveOf = redriveOf;
    return {
      nowMs: receivedMs,
      cards: folded.cards
        .filter((u) => mine(u.cardId) && !tooLarge.has(u.cardId))
        .map((update) => cardPlan(update, loaded.get(update.cardId))),
      deadLetters,
      // Isolated, each card's transaction would mark it: only the last step does.
      resolve: only === null ? resolve : [],
      report: folded.report,
    };
  }

  /** The operations of `cardIds` in `body`, with their raw text as the library found it (against rows it cannot use). */
  #unfoldable(timing, body, rows, cardIds) {
    const parked = new Set(cardIds);
    const unusable = rows.map((r) => (parked.has(r.cardId) ? { cardId: r.cardId, row: UNUSABLE_ROW } : r));
    const folded = this.#library(timing, (t) => t.foldRows(body, unusable));
    return folded.report.operations.filter((op) => op.outcome === 'rejected' && parked.has(op.cardId));
  }

  /**
   * After a deterministic failure of the body's transaction: each card in a
   * transaction of its own; a card whose transaction fails again
   * deterministically has its operations parked with the error. A transient
   * failure on the way answers 503 (what was committed is a duplicate next
   * time). Returns the dead letters written.
   */
  async #isolate(context) {
    const { issuerId, body, cardIds, receivedMs, timing, redriveOf = null, resolve = [] } = context;
    const written = [];
    for (const cardId of cardIds) {
      try {
        const plan = await this.#database(timing, () => this.store.transact(issuerId, [cardId],
          (loaded) => this.#plan(context, loaded, cardId)));
        written.push(...plan.deadLetters);
      } catch (err) {
        if (isTransient(err)) throw err;
        const error = hostFailure(err);
        let letters;
        try {
          const rows = cardIds.map((id) => ({ cardId: id, row: null }));
          letters = this.#unfoldable(timing, body, rows, [cardId])
            .map((op) => ({ ...operationLetter(receivedMs, issuerId, op, error), redriveOf }));
        } catch (trap) {
          if (!(trap instanceof LibraryTrap)) throw trap;
          // The library cannot even take the body apart: the body is parked.
          letters = [{ ...bodyLetter(receivedMs, issuerId, error, body), redriveOf }];
        }
        await this.#database(timing, () => this.store.addDeadLetters(letters));
        this.log({ level: 'error', event: 'card_parked', issuerId, cardId, operations: letters.length, ...error });
        written.push(...letters);
        if (letters.some((l) => l.scope === 'body')) {
          if (resolve.length > 0) await this.#database(timing, () => this.store.addDeadLetters([], resolve));
          return written;
        }
      }
    }
    // Operations that name no card of the body (no or an invalid cardId).
    const known = new Set(cardIds);
    const rows = cardIds.map((id) => ({ cardId: id, row: UNUSABLE_ROW }));
    const orphans = this.#library(timing, (t) => t.foldRows(body, rows)).report.operations
      .filter((op) => op.outcome === 'rejected' && !known.has(op.cardId))
      .map((op) => ({ ...operationLetter(receivedMs, issuerId, op, op.error), redriveOf }));
    if (orphans.length > 0 || resolve.length > 0) await this.#database(timing, () => this.store.addDeadLetters(orphans, resolve));
    return [...written, ...orphans];
  }

  /**
   * Counts a transient failure of the body (by its SHA-256); once it has
   * failed `maxBodyAttempts` times the body is parked as a dead letter and
   * true is returned. A count that cannot be written leaves the answer 503.
   */
  async #attemptsExhausted({ issuerId, body, receivedMs, timing }, err) {
    if (!Number.isFinite(this.maxBodyAttempts)) return false;
    const digest = createHash('sha256').update(body).digest('hex');
    const message = `${err?.code ?? err?.name}: ${err?.message ?? err}`;
    try {
      return await this.#database(timing, async () => {
        const attempts = await this.store.countAttempt(digest, issuerId, receivedMs, message);
        if (attempts < this.maxBodyAttempts) return false;
        const error = { code: 'RETRIES_EXHAUSTED', path: null,
          message: `failed ${attempts} times, the database taking writes meanwhile; last: ${message}` };
        await this.store.addDeadLetters([bodyLetter(receivedMs, issuerId, error, body)]);
        this.log({ level: 'error', event: 'body_parked', issuerId, digest, attempts, message });
        return true;
      });
    } catch {
      return false;
    }
  }

  /**
   * A body larger than the receiver reads: a dead letter of its first
   * `limit` bytes, and the 413 answer's `{code, path, message}`.
   */
  async oversized(issuerId, partial, limit) {
    const timing = { libraryMs: 0, databaseMs: 0 };
    const error = { code: 'PAYLOAD_TOO_LARGE', path: null, message: `the body is larger than ${limit} bytes` };
    const letter = bodyLetter(Date.now(), issuerId, error, partial);
    letter.raw += '…[the rest was not read]';
    await this.#database(timing, () => this.store.addDeadLetters([letter]));
    this.log({ level: 'warn', event: 'body_rejected', issuerId, ...error });
    return { status: 413, body: error, timing };
  }

  /**
   * Records a Track Card request the bank sent D1 for `issuerId`'s card
   * `cardId`; its changes (the phase, for a new card) go to the outbox like
   * any other.
   * @returns {Promise<{status: number, body: object, timing: object}>} 200 with `{view, changes}`.
   */
  async trackingRequest(issuerId, cardId, trackingType, atMs) {
    const timing = { libraryMs: 0, databaseMs: 0 };
    const plan = await this.#database(timing, () => this.store.transact(issuerId, [cardId], (loaded) => {
      const before = loaded.get(cardId);
      const update = this.#library(timing, (t) =>
        t.recordRequestOnRow({ cardId, row: before?.state ?? null }, trackingType, atMs));
      const unchanged = update.row === before?.state;
      return {
        nowMs: Date.now(),
        cards: unchanged ? [] : [cardPlan(update, before)],
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

/**
 * What the transaction writes for one changed card: its row and its outbox
 * rows, numbered on. The library's changes compare its own readings of the
 * row before and after; when another library version wrote the stored view
 * (`staleView`), the outbox says what changed from that view instead, so
 * that each `old` is what the outbox last said (README, "Upgrades").
 */
function cardPlan(update, before) {
  const first = before?.seq ?? 0;
  const changes = before?.staleView == null ? update.changes : changesSince(before.staleView, update);
  return {
    cardId: update.cardId,
    state: update.row,
    view: JSON.stringify(update.view),
    phase: update.view.phase,
    seq: first + changes.length,
    outbox: outboxRows(changes, first),
  };
}

/** The changes from a stored view's text to the update's view (the library's own when that text is not JSON). */
function changesSince(staleView, update) {
  try {
    return viewChanges(JSON.parse(staleView), update.view);
  } catch {
    return update.changes;
  }
}

/** A dead letter of a whole body: its bytes exactly (`rawBytes`), and as text. */
function bodyLetter(receivedMs, issuerId, error, body) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return {
    receivedMs, issuerId, scope: 'body', cardId: null, operationId: null, index: null,
    code: error.code, path: error.path, message: error.message, raw: readable(bytes), rawBytes: bytes,
  };
}

/** A dead letter of one operation of a body, with `error` ({code, path, message}). */
function operationLetter(receivedMs, issuerId, op, error) {
  const bytes = Buffer.from(op.raw ?? '');
  return {
    receivedMs, issuerId, scope: 'operation', cardId: op.cardId, operationId: op.operationId, index: op.index,
    code: error.code, path: error.path ?? null, message: error.message, raw: readable(bytes), rawBytes: bytes,
  };
}

/**
 * Bytes as text a database's text column holds: invalid UTF-8 and NUL
 * (which PostgreSQL's text cannot hold) become U+FFFD; `raw_bytes` keeps
 * them exactly.
 */
function readable(bytes) {
  return bytes.toString('utf8').replaceAll('\0', '\uFFFD');
}
