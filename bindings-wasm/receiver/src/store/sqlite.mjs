// The SQLite store: one file, WAL mode, full sync (a commit is on disk before
// the receiver answers). better-sqlite3 is synchronous, so a transaction runs
// whole between two turns of the event loop; several worker processes share
// the file, one writer at a time (BEGIN IMMEDIATE, waiting up to busyTimeoutMs).
import Database from 'better-sqlite3';

import { MIGRATIONS_TABLE, migrations } from './migrations.mjs';
import { ATTEMPTS_KEPT_MS, STATS_SQL, deadLetterRow, outboxRow, statsRow } from './rows.mjs';

export class SqliteStore {
  /** @param {{path: string, busyTimeoutMs?: number}} options */
  constructor({ path, busyTimeoutMs = 5000 }) {
    this.dialect = 'sqlite';
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${Number(busyTimeoutMs)}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.#prepared = null;
  }

  #prepared;

  get #sql() {
    if (this.#prepared === null) {
      const db = this.db;
      this.#prepared = {
        load: db.prepare('SELECT state, outbox_seq FROM cards WHERE card_id = ?'),
        upsert: db.prepare(`INSERT INTO cards (card_id, issuer_id, state, view, phase, outbox_seq, updated_ms)
          VALUES (@cardId, @issuerId, @state, @view, @phase, @seq, @nowMs)
          ON CONFLICT (card_id) DO UPDATE SET issuer_id = coalesce(excluded.issuer_id, issuer_id),
            state = excluded.state, view = excluded.view, phase = excluded.phase,
            outbox_seq = excluded.outbox_seq, updated_ms = excluded.updated_ms`),
        outbox: db.prepare(`INSERT INTO outbox (card_id, seq, tracking_type, field, old, new, created_ms)
          VALUES (@cardId, @seq, @trackingType, @field, @old, @new, @nowMs)`),
        deadLetter: db.prepare(`INSERT INTO dead_letters
          (received_ms, issuer_id, scope, card_id, operation_id, code, path, message, raw, raw_bytes)
          VALUES (@receivedMs, @issuerId, @scope, @cardId, @operationId, @code, @path, @message, @raw, @rawBytes)`),
        attempt: db.prepare(`INSERT INTO body_attempts (digest, issuer_id, attempts, first_ms, last_ms, last_error)
          VALUES (?, ?, 1, ?, ?, ?)
          ON CONFLICT (digest) DO UPDATE SET attempts = attempts + 1, last_ms = excluded.last_ms,
            last_error = excluded.last_error
          RETURNING attempts`),
        forgetAttempts: db.prepare('DELETE FROM body_attempts WHERE last_ms < ?'),
        view: db.prepare('SELECT view FROM cards WHERE card_id = ? AND state IS NOT NULL'),
        pending: db.prepare(`SELECT id, card_id, seq, tracking_type, field, old, new, created_ms
          FROM outbox WHERE done_ms IS NULL ORDER BY id LIMIT ?`),
        done: db.prepare('UPDATE outbox SET done_ms = ? WHERE id = ?'),
        page: db.prepare(`SELECT card_id, issuer_id, state FROM cards
          WHERE card_id > ? AND state IS NOT NULL ORDER BY card_id LIMIT ?`),
        stats: db.prepare(STATS_SQL),
      };
    }
    return this.#prepared;
  }

  async migrate() {
    const db = this.db;
    db.transaction(() => {
      db.exec(MIGRATIONS_TABLE);
      const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all());
      for (const m of migrations('sqlite')) {
        if (applied.has(m.version)) continue;
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)')
          .run(m.version, m.name, Date.now());
      }
    }).immediate();
  }

  async ping() {
    this.db.prepare('SELECT 1').get();
  }

  /**
   * One transaction: loads the rows of `cardIds` (the whole database is
   * locked for writing, so their order does not matter here), calls
   * `compute(loaded)` and writes what it returns (see ingest.mjs).
   */
  async transact(cardIds, compute) {
    const sql = this.#sql;
    return this.db.transaction(() => {
      const loaded = new Map();
      for (const cardId of cardIds) {
        const row = sql.load.get(cardId);
        loaded.set(cardId, { state: row?.state ?? null, seq: row ? Number(row.outbox_seq) : 0 });
      }
      const plan = compute(loaded);
      for (const card of plan.cards) {
        sql.upsert.run({ ...card, nowMs: plan.nowMs });
        for (const change of card.outbox) {
          sql.outbox.run({ cardId: card.cardId, nowMs: plan.nowMs, ...change });
        }
      }
      for (const letter of plan.deadLetters) sql.deadLetter.run(deadLetterRow(letter));
      return plan;
    }).immediate();
  }

  async addDeadLetters(letters) {
    const sql = this.#sql;
    this.db.transaction(() => {
      for (const letter of letters) sql.deadLetter.run(deadLetterRow(letter));
    }).immediate();
  }

  /** Counts one transient failure of the body `digest`; resolves to its count so far. */
  async countAttempt(digest, issuerId, nowMs, error) {
    const sql = this.#sql;
    return this.db.transaction(() => {
      sql.forgetAttempts.run(nowMs - ATTEMPTS_KEPT_MS);
      return Number(sql.attempt.get(digest, issuerId, nowMs, nowMs, error).attempts);
    }).immediate();
  }

  async view(cardId) {
    return this.#sql.view.get(cardId)?.view;
  }

  /**
   * Hands up to `limit` pending outbox rows, oldest first, to `deliver`, then
   * marks them done. SQLite has one dispatcher per database file (the
   * receiver runs it in one worker), so reading is claiming: a crash between
   * delivering and marking delivers the rows again (at least once, by id).
   */
  async dispatch(limit, deliver) {
    const sql = this.#sql;
    const rows = sql.pending.all(limit).map(outboxRow);
    if (rows.length === 0) return 0;
    await deliver(rows);
    const nowMs = Date.now();
    this.db.transaction(() => {
      for (const row of rows) sql.done.run(nowMs, row.id);
    }).immediate();
    return rows.length;
  }

  async statesPage(after, limit) {
    return this.#sql.page.all(after, limit)
      .map((r) => ({ cardId: r.card_id, issuerId: r.issuer_id, state: r.state }));
  }

  async stats() {
    return statsRow(this.#sql.stats.get());
  }

  async close() {
    this.db.close();
  }
}
