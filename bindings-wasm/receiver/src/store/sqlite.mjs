// The SQLite store: one file, WAL mode, full sync (a commit is on disk before
// the receiver answers). better-sqlite3 is synchronous, so a transaction runs
// whole between two turns of the event loop; several worker processes share
// the file, one writer at a time (BEGIN IMMEDIATE). SQLite's own busy wait
// would block the event loop for as long as it waits, so busy_timeout is 0
// and a busy write lock is tried again on a timer, up to busyTimeoutMs:
// meanwhile the worker answers /livez and the requests that need no lock.
import Database from 'better-sqlite3';

import { LIBRARY_VERSION } from '../changes.mjs';
import { MIGRATIONS_TABLE, compareSchema, migrations, notMigrated } from './migrations.mjs';
import {
  ADOPT_SQL, ATTEMPTS_KEPT_MS, CLAIMABLE_SQL, DEAD_LETTER_COLUMNS, PARKED_OF_CARD_SQL, PARKED_SQL, STATS_SQL, deadLetterOut, deadLetterRow,
  cardKey, failedCard, outboxRow, parkedOfCardRow, storedRow, parkedRow, statsRow,
} from './rows.mjs';

/** PostgreSQL's $1, $2 … as named parameters @p1, @p2 …: one text serves both. */
const positional = (sql) => sql.replace(/\$(\d+)/g, '@p$1');
/** The values for `positional`'s parameters. */
const params = (...values) => Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

export class SqliteStore {
  /** @param {{path: string, busyTimeoutMs?: number}} options */
  constructor({ path, busyTimeoutMs = 5000 }) {
    this.dialect = 'sqlite';
    this.busyTimeoutMs = busyTimeoutMs;
    this.db = new Database(path);
    // Opening may meet a lock too (WAL recovery): that one wait is SQLite's.
    this.db.pragma(`busy_timeout = ${Number(busyTimeoutMs)}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 0');
    this.#prepared = null;
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction; while another connection
   * holds the write lock, tries again after 1 to 20 ms (growing, with
   * jitter) until busyTimeoutMs has passed, then throws SQLITE_BUSY.
   */
  async #write(fn) {
    // One write at a time in this process: the others queue here rather than
    // all polling the file's lock (another process is the only contender).
    const deadline = Date.now() + this.busyTimeoutMs;
    const turn = this.#queue.then(() => this.#attempt(fn, deadline));
    this.#queue = turn.catch(() => {});
    return turn;
  }

  #queue = Promise.resolve();

  async #attempt(fn, deadline) {
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      try {
        return this.db.transaction(fn).immediate();
      } catch (err) {
        if (!String(err?.code).startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait * (0.5 + Math.random()), Math.max(1, deadline - Date.now()))));
    }
  }

  #prepared;

  get #sql() {
    if (this.#prepared === null) {
      const db = this.db;
      this.#prepared = {
        // A view another library version wrote comes along (see changes.mjs).
        load: db.prepare(`SELECT state, outbox_seq, CASE WHEN view_version IS NOT @version THEN view END AS stale_view
          FROM cards WHERE issuer_id = @issuerId AND card_id = @cardId`),
        upsert: db.prepare(`INSERT INTO cards (card_id, issuer_id, state, view, phase, outbox_seq, updated_ms, view_version)
          VALUES (@cardId, @issuerId, @state, @view, @phase, @seq, @nowMs, @version)
          ON CONFLICT (issuer_id, card_id) DO UPDATE SET state = excluded.state, view_version = excluded.view_version, view = excluded.view, phase = excluded.phase,
            outbox_seq = excluded.outbox_seq, updated_ms = excluded.updated_ms`),
        outbox: db.prepare(`INSERT INTO outbox (issuer_id, card_id, seq, tracking_type, field, old, new, created_ms)
          VALUES (@issuerId, @cardId, @seq, @trackingType, @field, @old, @new, @nowMs)`),
        deadLetter: db.prepare(`INSERT INTO dead_letters
          (received_ms, issuer_id, scope, card_id, operation_id, code, path, message, raw, raw_bytes, redrive_of)
          VALUES (@receivedMs, @issuerId, @scope, @cardId, @operationId, @code, @path, @message, @raw, @rawBytes, @redriveOf)`),
        resolve: db.prepare("UPDATE dead_letters SET status = ?, resolved_ms = ? WHERE id = ? AND status = 'open'"),
        letters: db.prepare(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters
          WHERE status = @status AND id > @after AND (@code IS NULL OR code = @code) ORDER BY id LIMIT @limit`),
        letter: db.prepare(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = ?`),
        pruneOutbox: db.prepare(`DELETE FROM outbox WHERE id IN (
          SELECT id FROM outbox WHERE done_ms IS NOT NULL AND done_ms < ? LIMIT ?)`),
        pruneLetters: db.prepare(`DELETE FROM dead_letters WHERE id IN (
          SELECT id FROM dead_letters WHERE resolved_ms IS NOT NULL AND resolved_ms < ? LIMIT ?)`),
        attempt: db.prepare(`INSERT INTO body_attempts (digest, issuer_id, attempts, first_ms, last_ms, last_error)
          VALUES (?, ?, 1, ?, ?, ?)
          ON CONFLICT (digest) DO UPDATE SET attempts = attempts + 1, last_ms = excluded.last_ms,
            last_error = excluded.last_error
          RETURNING attempts`),
        forgetAttempts: db.prepare('DELETE FROM body_attempts WHERE last_ms < ?'),
        view: db.prepare('SELECT view FROM cards WHERE issuer_id = ? AND card_id = ? AND state IS NOT NULL'),
        issuers: db.prepare(`SELECT issuer_id FROM cards WHERE card_id = ? AND issuer_id <> '' AND state IS NOT NULL
          ORDER BY issuer_id LIMIT ?`).pluck(),
        claimable: db.prepare(positional(CLAIMABLE_SQL.replace('{{lock}}', ''))),
        done: db.prepare('UPDATE outbox SET done_ms = ?, lease_until = NULL, lease_owner = NULL WHERE id = ?'),
        fail: db.prepare(positional(`UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_ms = $2,
            lease_until = NULL, lease_owner = NULL, parked_ms = CASE WHEN attempts + 1 >= $3 THEN $4 END
          WHERE id = $5 AND done_ms IS NULL RETURNING issuer_id, card_id, attempts, parked_ms`)),
        parked: db.prepare(positional(PARKED_SQL)),
        parkedOfCard: db.prepare(positional(PARKED_OF_CARD_SQL)),
        redrive: db.prepare(`UPDATE outbox SET parked_ms = NULL, attempts = 0, next_ms = NULL
          WHERE issuer_id = ? AND card_id = ? AND done_ms IS NULL AND parked_ms IS NOT NULL`),
        release: db.prepare('UPDATE outbox SET lease_until = NULL, lease_owner = NULL WHERE lease_until IS NOT NULL'),
        rederivePage: db.prepare(`SELECT issuer_id, card_id, state, view, view_version, outbox_seq FROM cards
          WHERE (issuer_id, card_id) > (?, ?) AND state IS NOT NULL ORDER BY issuer_id, card_id LIMIT ?`),
        rederived: db.prepare(`UPDATE cards SET view = @view, phase = @phase, outbox_seq = @seq, updated_ms = @nowMs,
            view_version = @version WHERE issuer_id = @issuerId AND card_id = @cardId`),
        page: db.prepare(`SELECT card_id, issuer_id, state FROM cards
          WHERE (issuer_id, card_id) > (?, ?) AND state IS NOT NULL ORDER BY issuer_id, card_id LIMIT ?`),
        stats: db.prepare(STATS_SQL),
      };
    }
    return this.#prepared;
  }

  /** Applies the migrations not yet applied, in one transaction (see migrations.mjs's compareSchema). */
  async migrate() {
    const db = this.db;
    return this.#write(() => {
      db.exec(MIGRATIONS_TABLE);
      // A table v2 made has no checksum column.
      if (!db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('schema_migrations').includes('checksum')) {
        db.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT');
      }
      const known = migrations('sqlite');
      const { missing, unrecorded } = compareSchema(known, db.prepare('SELECT version, name, checksum FROM schema_migrations').all());
      for (const m of missing) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_ms, checksum) VALUES (?, ?, ?, ?)')
          .run(m.version, m.name, Date.now(), m.checksum);
      }
      for (const m of unrecorded) db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ?').run(m.checksum, m.version);
      return missing.map((m) => m.name);
    });
  }

  /** As PostgresStore's: the rows without an issuer given to `issuerId`. */
  async adoptUnassigned(issuerId) {
    const db = this.db;
    return this.#write(() => {
      db.prepare(positional(ADOPT_SQL[0])).run(params(issuerId));
      return db.prepare(positional(ADOPT_SQL[1])).run(params(issuerId)).changes;
    });
  }

  /** Throws SchemaError unless the schema is this receiver's, every migration applied (nothing is changed). */
  async checkSchema() {
    const db = this.db;
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (table === undefined) throw notMigrated(migrations('sqlite'));
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('schema_migrations');
    const applied = db.prepare(`SELECT version, name, ${columns.includes('checksum') ? 'checksum' : 'NULL AS checksum'} FROM schema_migrations`).all();
    const { missing } = compareSchema(migrations('sqlite'), applied);
    if (missing.length > 0) throw notMigrated(missing);
  }

  async ping() {
    this.db.prepare('SELECT 1').get();
  }

  /** Resolves once the write lock could be taken (readiness); throws SQLITE_BUSY or the file's error. */
  async ready() {
    await this.#write(() => {});
  }

  /**
   * One transaction: loads the rows of `issuerId`'s `cardIds` (the whole
   * database is locked for writing, so their order does not matter here),
   * calls `compute(loaded)` and writes what it returns (see ingest.mjs).
   */
  async transact(issuerId, cardIds, compute) {
    const sql = this.#sql;
    return this.#write(() => {
      const loaded = new Map();
      for (const cardId of cardIds) {
        const row = sql.load.get({ issuerId, cardId, version: LIBRARY_VERSION });
        loaded.set(cardId, { state: row?.state ?? null, seq: row ? Number(row.outbox_seq) : 0, staleView: row?.stale_view ?? null });
      }
      const plan = compute(loaded);
      for (const card of plan.cards) {
        sql.upsert.run({ ...card, issuerId, nowMs: plan.nowMs, version: LIBRARY_VERSION });
        for (const change of card.outbox) {
          sql.outbox.run({ issuerId, cardId: card.cardId, nowMs: plan.nowMs, ...change });
        }
      }
      for (const letter of plan.deadLetters) sql.deadLetter.run(deadLetterRow(letter));
      for (const r of plan.resolve ?? []) sql.resolve.run(r.status, plan.nowMs, r.id);
      return plan;
    });
  }

  /** One page of the re-derive: as PostgresStore's (the write lock held for the page). */
  async rederivePage(after, limit, compute) {
    const sql = this.#sql;
    return this.#write(() => {
      const rows = sql.rederivePage.all(after?.issuerId ?? '', after?.cardId ?? '', limit);
      if (rows.length === 0) return { rows: 0, last: after, found: [], unreadable: 0 };
      const plan = compute(rows.map(storedRow));
      for (const u of plan.updates) {
        sql.rederived.run({ ...u, nowMs: plan.nowMs, version: LIBRARY_VERSION });
        for (const change of u.outbox) sql.outbox.run({ issuerId: u.issuerId, cardId: u.cardId, nowMs: plan.nowMs, ...change });
      }
      const last = rows[rows.length - 1];
      return { ...plan, rows: rows.length, last: { issuerId: last.issuer_id, cardId: last.card_id } };
    });
  }

  /** Writes dead letters and, in the same transaction, `resolve`'s `{id, status}` (open letters only). */
  async addDeadLetters(letters, resolve = []) {
    const sql = this.#sql;
    await this.#write(() => {
      for (const letter of letters) sql.deadLetter.run(deadLetterRow(letter));
      for (const r of resolve) sql.resolve.run(r.status, Date.now(), r.id);
    });
  }

  /** Dead letters of `status` (and `code`, when given) after id `after`, by id. */
  async deadLetters({ status = 'open', code = null, after = 0, limit = 100 }) {
    return this.#sql.letters.all({ status, code, after, limit }).map(deadLetterOut);
  }

  /** Deletes up to `limit` done outbox rows and resolved dead letters older than the given times. */
  async prune({ outboxBeforeMs, lettersBeforeMs, limit }) {
    const sql = this.#sql;
    return this.#write(() => ({
      outbox: sql.pruneOutbox.run(outboxBeforeMs, limit).changes,
      deadLetters: sql.pruneLetters.run(lettersBeforeMs, limit).changes,
    }));
  }

  /** One dead letter, or undefined. */
  async deadLetter(id) {
    const r = this.#sql.letter.get(id);
    return r === undefined ? undefined : deadLetterOut(r);
  }

  /** Counts one transient failure of the body `digest`; resolves to its count so far. */
  async countAttempt(digest, issuerId, nowMs, error) {
    const sql = this.#sql;
    return this.#write(() => {
      sql.forgetAttempts.run(nowMs - ATTEMPTS_KEPT_MS);
      return Number(sql.attempt.get(digest, issuerId, nowMs, nowMs, error).attempts);
    });
  }

  /** The card's view (JSON text), or undefined. */
  async view(issuerId, cardId) {
    return this.#sql.view.get(issuerId, cardId)?.view;
  }

  /** The card's open dead letters by code: [{code, operations, sinceMs}]. */
  async parkedOfCard(issuerId, cardId) {
    return this.#sql.parkedOfCard.all(params(issuerId, cardId)).map(parkedOfCardRow);
  }

  /** The issuers that hold a card of this id, in order (at most `limit`; never '', which no route can name). */
  async issuersOf(cardId, limit = 10) {
    return this.#sql.issuers.all(cardId, limit);
  }

  /**
   * Claims up to `limit` outbox rows (see rows.mjs's CLAIMABLE_SQL), never
   * holding a transaction across the callback.
   */
  async claimOutbox({ limit, nowMs }) {
    // One dispatcher per file: reading is claiming, and no lease is written
    // (a write would take the lock the requests need).
    return this.#sql.claimable.all(params(nowMs, limit)).map(outboxRow);
  }

  /** Marks rows handed on. */
  async completeOutbox(ids, nowMs) {
    const sql = this.#sql;
    await this.#write(() => {
      for (const id of ids) sql.done.run(nowMs, id);
    });
  }

  /**
   * Records a failed delivery of rows: their attempts, the error, not
   * before `nextMs`; parked once `maxAttempts` is reached. Resolves to each
   * card's `{issuerId, cardId, attempts, parked}` (its first row's).
   */
  async failOutbox(ids, { nowMs, nextMs, error, maxAttempts }) {
    const sql = this.#sql;
    return this.#write(() => {
      const cards = new Map();
      for (const id of ids) {
        const r = sql.fail.get(params(error, nextMs, maxAttempts, nowMs, id));
        if (r && !cards.has(cardKey(r.issuer_id, r.card_id))) cards.set(cardKey(r.issuer_id, r.card_id), failedCard(r));
      }
      return [...cards.values()];
    });
  }

  /** The parked queues, oldest first. */
  async parkedOutbox(limit) {
    return this.#sql.parked.all(params(limit)).map(parkedRow);
  }

  /** Releases a card's parked queue for delivery again; resolves to the rows released. */
  async redriveOutbox(issuerId, cardId) {
    const sql = this.#sql;
    return this.#write(() => sql.redrive.run(issuerId, cardId).changes);
  }

  /** Drops every lease: SQLite's one dispatcher, starting, holds none. */
  async releaseLeases() {
    const sql = this.#sql;
    await this.#write(() => sql.release.run());
  }

  /** The stored rows after `after` ({issuerId, cardId}, or null for the first page), by issuer then card. */
  async statesPage(after, limit) {
    return this.#sql.page.all(after?.issuerId ?? '', after?.cardId ?? '', limit)
      .map((r) => ({ cardId: r.card_id, issuerId: r.issuer_id, state: r.state }));
  }

  async stats() {
    return statsRow(this.#sql.stats.get());
  }

  async close() {
    this.db.close();
  }
}
