// The PostgreSQL store: several workers (and hosts) share one database; a
// card's row is locked for the length of the transaction that folds into it.
// Commits are synchronous (synchronous_commit = on for the receiver's
// sessions), so a 204 means the WAL is on disk.
import pg from 'pg';

import { LIBRARY_VERSION } from '../changes.mjs';
import { isConnectionFailure } from '../failures.mjs';
import { MIGRATIONS_TABLE, compareSchema, migrations, notMigrated } from './migrations.mjs';
import {
  ADOPT_SQL, ATTEMPTS_KEPT_MS, CLAIMABLE_SQL, DEAD_LETTER_COLUMNS, PARKED_OF_CARD_SQL, PARKED_SQL, STATS_SQL, deadLetterOut, deadLetterRow,
  cardKey, failedCard, outboxRow, parkedOfCardRow, storedRow, parkedRow, statsRow,
} from './rows.mjs';

// SQLSTATEs after which the whole transaction is simply run again:
// deadlock_detected, serialization_failure, unique_violation (two workers
// creating the same card's row at once).
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const ATTEMPTS = 5;

// A fixed key for the advisory locks taken while migrating and reconciling.
const MIGRATION_LOCK = 0x6431_7472; // "d1tr"

export class PostgresStore {
  /**
   * @param {{url: string, poolSize?: number, lockTimeoutMs?: number,
   *   statementTimeoutMs?: number, idleInTransactionMs?: number}} options
   *   The timeouts hold for each transaction (SET LOCAL), so they apply on a
   *   pool of the application's own too; 0 is no timeout.
   */
  constructor({
    url, poolSize = 8, lockTimeoutMs = 5000, statementTimeoutMs = 10_000, idleInTransactionMs = 60_000,
    connectTimeoutMs = 5000,
  }) {
    this.dialect = 'postgres';
    this.begin = ['BEGIN',
      `SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`,
      `SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`,
      `SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(idleInTransactionMs)}`].join('; ');
    this.pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      // Every session commits synchronously, whatever the server's default.
      options: '-c synchronous_commit=on',
      // A pool with no free client, or a server that does not answer the
      // connection, is a quick 503, not a request that hangs.
      connectionTimeoutMillis: connectTimeoutMs,
      // The server's statement_timeout needs a server that answers; past
      // this the client gives up on a query itself (a network that drops).
      query_timeout: statementTimeoutMs > 0 ? statementTimeoutMs + 5000 : undefined,
    });
    // An idle client's connection error (the server restarted) must not
    // kill the worker; the next query reconnects.
    this.pool.on('error', () => {});
    // Nor may one that arrives while the pool hands a client over: a
    // session's last answer and its termination can come in one read, so
    // the client is between the pool's listener and ours when the error is
    // parsed. Every client keeps a listener of its own for its whole life;
    // its next query then fails, and #withClient discards it.
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  /**
   * Runs `fn(client)` on a client of the pool. A checked-out client's
   * connection may fail between two statements (the session terminated,
   * the server restarted): node-postgres then emits 'error' on the client,
   * which would kill the worker without a listener. The error is kept, and
   * the client is destroyed rather than returned to the pool.
   */
  async #withClient(fn) {
    const client = await this.pool.connect();
    let broken = null;
    const onError = (err) => { broken = err; };
    client.on('error', onError);
    try {
      const result = await fn(client);
      if (broken) throw broken;
      return result;
    } catch (err) {
      broken ??= isConnectionFailure(err) ? err : null;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken ?? undefined);
    }
  }

  /**
   * Runs `fn(client)` in a transaction, again on a deadlock or a conflict;
   * `begin` is BEGIN with the transaction's timeouts.
   */
  async #transaction(fn, begin = this.begin) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#withClient(async (client) => {
          // One round trip: BEGIN and the transaction's timeouts.
          await client.query(begin);
          try {
            const result = await fn(client);
            await client.query('COMMIT');
            return result;
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          }
        });
      } catch (err) {
        if (attempt >= ATTEMPTS || !RETRYABLE.has(err?.code)) throw err;
      }
    }
  }

  /**
   * Applies the migrations not yet applied, in one transaction, one
   * migrator at a time across every worker and host (see migrations.mjs's
   * compareSchema). Resolves to the names applied.
   */
  async migrate() {
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(MIGRATIONS_TABLE);
      // A table v2 made has no checksum column.
      await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT');
      const { rows } = await client.query('SELECT version, name, checksum FROM schema_migrations');
      const { missing, unrecorded } = compareSchema(migrations('postgres'), rows.map((r) => ({ ...r, version: Number(r.version) })));
      for (const m of missing) {
        // A migration rewrites whole tables: no statement timeout, and the
        // client's own as long as a timer allows (0 would mean the pool's).
        await client.query({ text: m.sql, query_timeout: 2 ** 31 - 1 });
        await client.query('INSERT INTO schema_migrations (version, name, applied_ms, checksum) VALUES ($1, $2, $3, $4)',
          [m.version, m.name, Date.now(), m.checksum]);
      }
      for (const m of unrecorded) {
        await client.query('UPDATE schema_migrations SET checksum = $1 WHERE version = $2', [m.checksum, m.version]);
      }
      return missing.map((m) => m.name);
    }, 'BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 60000');
  }

  /**
   * Gives the rows migration 006 left without an issuer ('') to `issuerId`
   * (the receiver's ISSUER_ID), unless that issuer holds the card id too.
   * Resolves to the cards adopted.
   */
  async adoptUnassigned(issuerId) {
    return this.#transaction(async (client) => {
      await client.query(ADOPT_SQL[0], [issuerId]);
      return (await client.query(ADOPT_SQL[1], [issuerId])).rowCount;
    });
  }

  /** Throws SchemaError unless the schema is this receiver's, every migration applied (nothing is changed). */
  async checkSchema() {
    const { rows: table } = await this.pool.query("SELECT to_regclass('schema_migrations') AS t");
    if (table[0].t === null) throw notMigrated(migrations('postgres'));
    const { rows: columns } = await this.pool.query(
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'checksum'");
    const { rows } = await this.pool.query(
      `SELECT version, name, ${columns.length > 0 ? 'checksum' : 'NULL AS checksum'} FROM schema_migrations`);
    const { missing } = compareSchema(migrations('postgres'), rows.map((r) => ({ ...r, version: Number(r.version) })));
    if (missing.length > 0) throw notMigrated(missing);
  }

  async ping() {
    await this.pool.query('SELECT 1');
  }

  /**
   * Resolves once a write can be made (readiness): a transaction that is
   * given a transaction id, which a standby or a read-only server refuses.
   */
  async ready() {
    await this.#transaction((client) => client.query('SELECT txid_current()'));
  }

  /**
   * One transaction: creates the rows the body's cards of `issuerId` lack,
   * locks all of them in `cardId` order (so two bodies sharing cards never
   * deadlock), calls `compute(loaded)` and writes what it returns (see
   * ingest.mjs). Rows created here and left without state are removed before
   * commit.
   */
  async transact(issuerId, cardIds, compute) {
    const ids = [...cardIds].sort(compareIds);
    return this.#transaction(async (client) => {
      await client.query(`INSERT INTO cards (issuer_id, card_id)
        SELECT $1, id FROM unnest($2::text[]) AS t(id) ORDER BY id COLLATE "C"
        ON CONFLICT (issuer_id, card_id) DO NOTHING`, [issuerId, ids]);
      // A view another library version wrote comes along (see changes.mjs).
      const { rows } = await client.query(`SELECT card_id, state, outbox_seq,
          CASE WHEN view_version IS DISTINCT FROM $3 THEN view END AS stale_view FROM cards
        WHERE issuer_id = $1 AND card_id = ANY($2::text[]) ORDER BY card_id COLLATE "C" FOR UPDATE`,
      [issuerId, ids, LIBRARY_VERSION]);
      const loaded = new Map();
      for (const r of rows) loaded.set(r.card_id, { state: r.state, seq: Number(r.outbox_seq), staleView: r.stale_view });
      const plan = compute(loaded);
      const cards = plan.cards;
      if (cards.length > 0) {
        await client.query(`UPDATE cards SET state = u.state, view = u.view, phase = u.phase, outbox_seq = u.seq,
            updated_ms = $7, view_version = $8
          FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
            AS u(card_id, state, view, phase, seq)
          WHERE cards.issuer_id = $1 AND cards.card_id = u.card_id`, [
          issuerId, cards.map((c) => c.cardId), cards.map((c) => c.state), cards.map((c) => c.view),
          cards.map((c) => c.phase), cards.map((c) => c.seq), plan.nowMs, LIBRARY_VERSION,
        ]);
        await insertOutbox(client, cards.map((c) => ({ ...c, issuerId })), plan.nowMs);
      }
      await insertDeadLetters(client, plan.deadLetters);
      await resolveLetters(client, plan.resolve ?? [], plan.nowMs);
      // Rows created above that nothing was written to (every operation of
      // that card rejected) go again; usually there are none to delete.
      const written = new Set(cards.map((c) => c.cardId));
      const empty = ids.filter((id) => loaded.get(id)?.state == null && !written.has(id));
      if (empty.length > 0) {
        await client.query('DELETE FROM cards WHERE issuer_id = $1 AND card_id = ANY($2::text[]) AND state IS NULL',
          [issuerId, empty]);
      }
      return plan;
    });
  }

  /**
   * One page of the re-derive (rederive.mjs): the stored rows after `after`
   * ({issuerId, cardId} or null), by key, locked; `compute(rows)` returns
   * `{updates, nowMs}`: each `{issuerId, cardId, view, phase, seq, outbox}`
   * is written with its outbox rows. Resolves to compute's result with
   * `rows` (how many were read) and `last` (the page's last key).
   */
  async rederivePage(after, limit, compute) {
    return this.#transaction(async (client) => {
      const { rows } = await client.query(`SELECT issuer_id, card_id, state, view, view_version, outbox_seq FROM cards
        WHERE (issuer_id, card_id) > ($1, $2) AND state IS NOT NULL ORDER BY issuer_id, card_id LIMIT $3 FOR UPDATE`,
      [after?.issuerId ?? '', after?.cardId ?? '', limit]);
      if (rows.length === 0) return { rows: 0, last: after, found: [], unreadable: 0 };
      const plan = compute(rows.map(storedRow));
      const { updates } = plan;
      if (updates.length > 0) {
        await client.query(`UPDATE cards SET view = u.view, phase = u.phase, outbox_seq = u.seq, updated_ms = $6,
            view_version = $7
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(issuer_id, card_id, view, phase, seq)
          WHERE cards.issuer_id = u.issuer_id AND cards.card_id = u.card_id`, [
          updates.map((u) => u.issuerId), updates.map((u) => u.cardId), updates.map((u) => u.view),
          updates.map((u) => u.phase), updates.map((u) => u.seq), plan.nowMs, LIBRARY_VERSION,
        ]);
        await insertOutbox(client, updates, plan.nowMs);
      }
      const last = rows[rows.length - 1];
      return { ...plan, rows: rows.length, last: { issuerId: last.issuer_id, cardId: last.card_id } };
    });
  }

  /** Writes dead letters and, in the same transaction, `resolve`'s `{id, status}` (open letters only). */
  async addDeadLetters(letters, resolve = []) {
    await this.#transaction(async (client) => {
      await insertDeadLetters(client, letters);
      await resolveLetters(client, resolve, Date.now());
    });
  }

  /** Dead letters of `status` (and `code`, when given) after id `after`, by id. */
  async deadLetters({ status = 'open', code = null, after = 0, limit = 100 }) {
    const { rows } = await this.pool.query(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters
      WHERE status = $1 AND id > $2 AND ($3::text IS NULL OR code = $3) ORDER BY id LIMIT $4`, [status, after, code, limit]);
    return rows.map(deadLetterOut);
  }

  /** Deletes up to `limit` done outbox rows and resolved dead letters older than the given times. */
  async prune({ outboxBeforeMs, lettersBeforeMs, limit }) {
    return this.#transaction(async (client) => ({
      outbox: (await client.query(`DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE done_ms IS NOT NULL AND done_ms < $1 LIMIT $2)`, [outboxBeforeMs, limit])).rowCount,
      deadLetters: (await client.query(`DELETE FROM dead_letters WHERE id IN (
        SELECT id FROM dead_letters WHERE resolved_ms IS NOT NULL AND resolved_ms < $1 LIMIT $2)`, [lettersBeforeMs, limit])).rowCount,
    }));
  }

  /** One dead letter, or undefined. */
  async deadLetter(id) {
    const { rows } = await this.pool.query(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : deadLetterOut(rows[0]);
  }

  /** Counts one transient failure of the body `digest`; resolves to its count so far. */
  async countAttempt(digest, issuerId, nowMs, error) {
    return this.#transaction(async (client) => {
      await client.query('DELETE FROM body_attempts WHERE last_ms < $1', [nowMs - ATTEMPTS_KEPT_MS]);
      const { rows } = await client.query(`INSERT INTO body_attempts (digest, issuer_id, attempts, first_ms, last_ms, last_error)
        VALUES ($1, $2, 1, $3, $3, $4)
        ON CONFLICT (digest) DO UPDATE SET attempts = body_attempts.attempts + 1, last_ms = excluded.last_ms,
          last_error = excluded.last_error
        RETURNING attempts`, [digest, issuerId, nowMs, error]);
      return Number(rows[0].attempts);
    });
  }

  /** The card's view (JSON text), or undefined. */
  async view(issuerId, cardId) {
    const { rows } = await this.pool.query(
      'SELECT view FROM cards WHERE issuer_id = $1 AND card_id = $2 AND state IS NOT NULL', [issuerId, cardId]);
    return rows[0]?.view;
  }

  /** The card's open dead letters by code: [{code, operations, sinceMs}]. */
  async parkedOfCard(issuerId, cardId) {
    return (await this.pool.query(PARKED_OF_CARD_SQL, [issuerId, cardId])).rows.map(parkedOfCardRow);
  }

  /** The issuers that hold a card of this id, in order (at most `limit`; never '', which no route can name). */
  async issuersOf(cardId, limit = 10) {
    const { rows } = await this.pool.query(`SELECT issuer_id FROM cards
      WHERE card_id = $1 AND issuer_id <> '' AND state IS NOT NULL ORDER BY issuer_id LIMIT $2`, [cardId, limit]);
    return rows.map((r) => r.issuer_id);
  }

  /**
   * Claims up to `limit` outbox rows for `leaseMs` (see rows.mjs's
   * CLAIMABLE_SQL): the heads are locked SKIP LOCKED for the length of this
   * short transaction, so two dispatchers never claim one card's queue; the
   * lease then keeps it theirs while the callback runs outside any
   * transaction. Only each card's head row carries the lease: a card's other
   * rows are claimable only through its head, so one row written per card,
   * not one per change.
   */
  async claimOutbox({ limit, nowMs, leaseMs, owner }) {
    return this.#transaction(async (client) => {
      const { rows } = await client.query(CLAIMABLE_SQL.replace('{{lock}}', 'FOR UPDATE SKIP LOCKED'), [nowMs, limit]);
      if (rows.length > 0) {
        const heads = new Map();
        for (const r of rows) {
          const key = cardKey(r.issuer_id, r.card_id);
          if (!heads.has(key)) heads.set(key, r.id);
        }
        await client.query('UPDATE outbox SET lease_until = $1, lease_owner = $2 WHERE id = ANY($3::bigint[])',
          [nowMs + leaseMs, owner, [...heads.values()]]);
      }
      return rows.map(outboxRow);
    });
  }

  /** Marks rows handed on. */
  async completeOutbox(ids, nowMs) {
    await this.#transaction((client) => client.query(
      'UPDATE outbox SET done_ms = $1, lease_until = NULL, lease_owner = NULL WHERE id = ANY($2::bigint[])', [nowMs, ids]));
  }

  /**
   * Records a failed delivery of rows: their attempts, the error, not
   * before `nextMs`; parked once `maxAttempts` is reached. Resolves to each
   * card's `{issuerId, cardId, attempts, parked}` (its first row's).
   */
  async failOutbox(ids, { nowMs, nextMs, error, maxAttempts }) {
    return this.#transaction(async (client) => {
      const { rows } = await client.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_ms = $2,
          lease_until = NULL, lease_owner = NULL, parked_ms = CASE WHEN attempts + 1 >= $3 THEN $4::bigint END
        WHERE id = ANY($5::bigint[]) AND done_ms IS NULL RETURNING id, issuer_id, card_id, attempts, parked_ms`,
      [error, nextMs, maxAttempts, nowMs, ids]);
      const cards = new Map();
      for (const r of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
        const key = cardKey(r.issuer_id, r.card_id);
        if (!cards.has(key)) cards.set(key, failedCard(r));
      }
      return [...cards.values()];
    });
  }

  /** The parked queues, oldest first. */
  async parkedOutbox(limit) {
    const { rows } = await this.pool.query(PARKED_SQL, [limit]);
    return rows.map(parkedRow);
  }

  /** Releases a card's parked queue for delivery again; resolves to the rows released. */
  async redriveOutbox(issuerId, cardId) {
    const { rowCount } = await this.pool.query(`UPDATE outbox SET parked_ms = NULL, attempts = 0, next_ms = NULL
      WHERE issuer_id = $1 AND card_id = $2 AND done_ms IS NULL AND parked_ms IS NOT NULL`, [issuerId, cardId]);
    return rowCount;
  }

  /** Leases of dead dispatchers expire on their own: several dispatchers share the database. */
  async releaseLeases() {}

  /**
   * The stored rows after `after` ({issuerId, cardId}, or null for the first
   * page), by issuer then card in the database's collation (any order is a
   * page order as long as the comparison and the sort share it; this one
   * walks the primary key).
   */
  async statesPage(after, limit) {
    const { rows } = await this.pool.query(`SELECT card_id, issuer_id, state FROM cards
      WHERE (issuer_id, card_id) > ($1, $2) AND state IS NOT NULL ORDER BY issuer_id, card_id LIMIT $3`,
    [after?.issuerId ?? '', after?.cardId ?? '', limit]);
    return rows.map((r) => ({ cardId: r.card_id, issuerId: r.issuer_id, state: r.state }));
  }

  /** Runs `fn` when no other process is reconciling this database; false when one is. */
  async exclusively(key, fn) {
    return this.#withClient(async (client) => {
      const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS got', [key]);
      if (!rows[0].got) return false;
      try {
        await fn();
        return true;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    });
  }

  async stats() {
    const { rows } = await this.pool.query(STATS_SQL);
    return statsRow(rows[0]);
  }

  async close() {
    await this.pool.end();
  }
}

/** The outbox rows of `cards` ({issuerId, cardId, outbox: [{seq, trackingType, field, old, new}]}), in one statement. */
async function insertOutbox(client, cards, nowMs) {
  const changes = cards.flatMap((c) => c.outbox.map((o) => ({ issuerId: c.issuerId, cardId: c.cardId, ...o })));
  if (changes.length === 0) return;
  const column = (name) => changes.map((c) => c[name]);
  await client.query(`INSERT INTO outbox (issuer_id, card_id, seq, tracking_type, field, old, new, created_ms)
    SELECT issuer_id, card_id, seq, tracking_type, field, old, new, $8
    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
      AS t(issuer_id, card_id, seq, tracking_type, field, old, new)`, [
    column('issuerId'), column('cardId'), column('seq'), column('trackingType'), column('field'), column('old'),
    column('new'), nowMs,
  ]);
}

async function insertDeadLetters(client, letters) {
  if (letters.length === 0) return;
  const rows = letters.map(deadLetterRow);
  const column = (name) => rows.map((l) => l[name]);
  await client.query(`INSERT INTO dead_letters
      (received_ms, issuer_id, scope, card_id, operation_id, code, path, message, raw, raw_bytes, redrive_of)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::text[], $9::text[], $10::bytea[], $11::bigint[])`, [
    column('receivedMs'), column('issuerId'), column('scope'), column('cardId'), column('operationId'),
    column('code'), column('path'), column('message'), column('raw'), column('rawBytes'), column('redriveOf'),
  ]);
}

async function resolveLetters(client, resolve, nowMs) {
  for (const r of resolve) {
    await client.query("UPDATE dead_letters SET status = $1, resolved_ms = $2 WHERE id = $3 AND status = 'open'", [r.status, nowMs, r.id]);
  }
}

/** Card ids in byte order, as PostgreSQL's "C" collation and the library sort them. */
function compareIds(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
