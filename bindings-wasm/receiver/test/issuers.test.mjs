// Card rows keyed by (issuer, card) (README, "Which issuer"), migration 006
// on a database holding v3's earlier rows, and the re-derive command
// (README, "Upgrades"): each on SQLite and on PostgreSQL, against a real
// process tree.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import pg from 'pg';

import { migrations } from '../src/store/migrations.mjs';
import { ISSUER, pending } from './bodies.mjs';
import { databases, startReceiver } from './harness.mjs';

const OTHER = 'ISSUER0002';
const REDERIVE = fileURLToPath(new URL('../src/rederive.mjs', import.meta.url));
const notifyPath = (issuer) => `/notifications/d1/v2/issuers/${issuer}/cards`;
const delivered = (cardId) => JSON.stringify({ operations: [{
  operationId: `op-${cardId}`, operation: 'STANDALONE_TRACKING', status: 'SUCCESSFUL',
  startTime: '2026-03-02T09:00:00.000Z', endTime: '2026-03-04T09:00:00.000Z', cardId,
  details: { trackingType: 'SHIPMENT', shipment: { carrier: 'DHL', trackingNumber: 'JD1', status: 'Delivered' } },
}] });

async function withReceiver(database, fn, env = {}) {
  await database.with(async (db) => {
    const dir = mkdtempSync(join(tmpdir(), 'd1t-issuers-'));
    const log = join(dir, 'outbox.jsonl');
    const start = () => startReceiver({
      WORKERS: '1', OUTBOX_LOG: log, OUTBOX_POLL_MS: '10', RECONCILE_INTERVAL_MS: '0', ...db.env, ...env,
    });
    let receiver = await start();
    try {
      const outbox = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      await fn({ receiver, outbox, ...db, restart: async () => { await receiver.stop(); receiver = await start(); return receiver; } });
    } finally {
      if (receiver.proc.exitCode === null) await receiver.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Waits until `check()` is true (the outbox is handed on asynchronously). */
async function until(check, what) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Runs `npm run rederive`'s program with `env`; resolves to its JSON lines and exit code. */
function rederive(env, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REDERIVE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, err, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l)) }));
  });
}

for (const database of databases('issuers')) {
  const { name, skip } = database;

  test(`${name}: two issuers' cards of one id are two cards: separate rows and outbox chains; the read route names the issuer when both hold it`,
    { skip }, () => withReceiver(database, async ({ receiver, outbox }) => {
      assert.equal((await receiver.d1(notifyPath(ISSUER), { method: 'POST', body: pending('card-1') })).status, 204);
      assert.equal((await receiver.d1(notifyPath(OTHER), { method: 'POST', body: delivered('card-1') })).status, 204);
      const view = async (path) => {
        const res = await receiver.admin(path);
        return [res.status, await res.json()];
      };
      const [status, ambiguous] = await view('/cards/card-1');
      assert.equal(status, 409);
      assert.equal(ambiguous.code, 'ISSUER_AMBIGUOUS');
      assert.deepEqual(ambiguous.issuers, [ISSUER, OTHER]);
      assert.deepEqual((await view(`/issuers/${ISSUER}/cards/card-1`)).map((v, i) => (i ? v.phase : v)), [200, 'TRACKING']);
      assert.deepEqual((await view(`/issuers/${OTHER}/cards/card-1`)).map((v, i) => (i ? v.phase : v)), [200, 'DELIVERED']);
      assert.equal((await view(`/issuers/${OTHER}/cards/card-9`))[0], 404);
      // Each issuer's card has its own chain, numbered from 1.
      await until(() => {
        try {
          return new Set(outbox().map((r) => r.issuerId)).size === 2;
        } catch {
          return false;
        }
      }, 'both chains delivered');
      for (const issuer of [ISSUER, OTHER]) {
        const seqs = outbox().filter((r) => r.issuerId === issuer && r.cardId === 'card-1').map((r) => r.seq);
        assert.deepEqual(seqs, seqs.map((_, i) => i + 1), issuer);
      }
      // A tracking request names the issuer; without ISSUER_ID a card two hold is ambiguous.
      const input = { method: 'POST', body: '{"trackingType":"RETURN","atMs":1772600000000}' };
      assert.equal((await receiver.admin('/cards/card-1/tracking-requests', input)).status, 409);
      assert.equal((await receiver.admin(`/issuers/${OTHER}/cards/card-1/tracking-requests`, input)).status, 200);
      assert.equal((await view(`/issuers/${ISSUER}/cards/card-1`))[1].trackings.RETURN, undefined);
    }));

  test(`${name}: migration 006 on a database at 005: each card and outbox row keeps its issuer, a row without one gets '', the chains continue`,
    { skip }, () => database.with(async (db) => {
      // The schema as migration 005 left it, recorded as the receiver records it.
      const dialect = db.env.DATABASE_URL ? 'postgres' : 'sqlite';
      const upTo5 = migrations(dialect).filter((m) => m.version <= 5);
      let exec;
      let close;
      if (dialect === 'postgres') {
        const client = new pg.Client({ connectionString: db.env.DATABASE_URL });
        await client.connect();
        exec = (sql, params) => client.query(sql, params);
        close = () => client.end();
      } else {
        const sqlite = new Database(db.env.SQLITE_PATH);
        exec = (sql, params) => (params ? sqlite.prepare(sql.replace(/\$\d+/g, '?')).run(...params) : sqlite.exec(sql));
        close = () => sqlite.close();
      }
      await exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL, checksum TEXT)');
      for (const m of upTo5) {
        await exec(m.sql);
        await exec('INSERT INTO schema_migrations VALUES ($1, $2, 0, $3)', [m.version, m.name, m.checksum]);
      }
      // A card folded by the receiver at 005 would be written so; its view
      // is the library's, taken from a fold below, so start with a scratch one.
      await exec(`INSERT INTO cards (card_id, issuer_id, state, view, phase, outbox_seq) VALUES
        ('card-old', $1, NULL, NULL, NULL, 2), ('card-anon', NULL, NULL, NULL, NULL, 0)`, [ISSUER]);
      await exec(`INSERT INTO outbox (card_id, seq, field, old, new, created_ms, done_ms) VALUES
        ('card-old', 1, 'status', 'null', '"PENDING"', 0, 1), ('card-old', 2, 'phase', 'null', '"TRACKING"', 0, NULL)`);
      // Ids handed out and pruned since (retention): never handed out again.
      if (dialect === 'sqlite') {
        await exec(`INSERT INTO outbox (id, card_id, seq, field, old, new, created_ms, done_ms) VALUES
          (50, 'card-gone', 1, 'phase', 'null', '"TRACKING"', 0, 1)`, []);
        await exec("DELETE FROM outbox WHERE id = 50", []);
      }
      // A role the bank granted rights on the tables keeps them.
      const role = `d1t_reader_${process.pid}`;
      if (dialect === 'postgres') {
        await exec(`DROP ROLE IF EXISTS ${role}`);
        await exec(`CREATE ROLE ${role}`);
        await exec(`GRANT SELECT, UPDATE ON cards, outbox TO ${role}`);
      }
      await close();

      const dir = mkdtempSync(join(tmpdir(), 'd1t-issuers-006-'));
      const log = join(dir, 'outbox.jsonl');
      const receiver = await startReceiver({ WORKERS: '1', OUTBOX_LOG: log, OUTBOX_POLL_MS: '10', RECONCILE_INTERVAL_MS: '0', ...db.env });
      try {
        assert.deepEqual(receiver.entries.find((e) => e.event === 'migrated').applied, ['006_issuer_keys.sql']);
        const rows = await db.query('SELECT issuer_id, card_id, outbox_seq FROM cards ORDER BY card_id');
        assert.deepEqual(rows.map((r) => [r.issuer_id, r.card_id, Number(r.outbox_seq)]),
          [['', 'card-anon', 0], [ISSUER, 'card-old', 2]]);
        const outboxRows = await db.query('SELECT issuer_id, card_id, seq FROM outbox ORDER BY id');
        assert.deepEqual(outboxRows.map((r) => [r.issuer_id, r.card_id, Number(r.seq)]),
          [[ISSUER, 'card-old', 1], [ISSUER, 'card-old', 2]]);
        // The pending row is handed on with its issuer, and the next fold numbers on from 2.
        await until(() => {
          try {
            return readFileSync(log, 'utf8').includes('"seq":2');
          } catch {
            return false;
          }
        }, 'the migrated pending row delivered');
        assert.equal(JSON.parse(readFileSync(log, 'utf8').split('\n')[0]).issuerId, ISSUER);
        assert.equal((await receiver.d1(notifyPath(ISSUER), { method: 'POST', body: pending('card-old') })).status, 204);
        const seqs = (await db.query("SELECT seq FROM outbox WHERE card_id = 'card-old' ORDER BY seq")).map((r) => Number(r.seq));
        assert.deepEqual(seqs.slice(0, 3), [1, 2, 3]);
        const ids = (await db.query("SELECT id FROM outbox WHERE card_id = 'card-old' AND seq >= 3")).map((r) => Number(r.id));
        assert.ok(ids.length > 0 && ids.every((id) => id > (dialect === 'sqlite' ? 50 : 2)), `new outbox ids ${ids}`);
        if (dialect === 'postgres') {
          const [grant] = await db.query(`SELECT has_table_privilege('d1t_reader_${process.pid}', 'cards', 'UPDATE') AS cards,
            has_table_privilege('d1t_reader_${process.pid}', 'outbox', 'UPDATE') AS outbox`);
          assert.deepEqual([grant.cards, grant.outbox], [true, true]);
          await db.query(`REVOKE ALL ON cards, outbox FROM d1t_reader_${process.pid}`);
          await db.query(`DROP ROLE d1t_reader_${process.pid}`);
        }
      } finally {
        await receiver.stop();
        rmSync(dir, { recursive: true, force: true });
      }
      // Started with ISSUER_ID, the receiver gives it the rows without an issuer.
      const again = await startReceiver({ WORKERS: '1', OUTBOX_LOG: '/dev/null', RECONCILE_INTERVAL_MS: '0', ISSUER_ID: ISSUER, ...db.env });
      try {
        assert.equal(again.entries.find((e) => e.event === 'cards_adopted')?.cards, 1);
        assert.equal((await again.admin('/cards/card-anon')).status, 404); // (no state: a row being created)
        const rows = await db.query("SELECT count(*) AS n FROM cards WHERE issuer_id = ''");
        assert.equal(Number(rows[0].n), 0);
      } finally {
        await again.stop();
      }
    }));

  test(`${name}: re-derive after a library upgrade: the stored views and phases rewritten, the difference in the outbox numbered on, a second pass changes nothing, a dry run writes nothing`,
    { skip }, () => withReceiver(database, async ({ receiver, outbox, query, env }) => {
      for (let i = 0; i < 7; i++) {
        assert.equal((await receiver.d1(notifyPath(i % 2 ? OTHER : ISSUER), { method: 'POST', body: delivered(`card-${i}`) })).status, 204);
      }
      // What an older library stored: another phase, and a view without it.
      const [before] = await query(`SELECT view, outbox_seq FROM cards WHERE issuer_id = $1 AND card_id = 'card-2'`, [ISSUER]);
      const old = JSON.parse(before.view);
      old.phase = 'IN_TRANSIT';
      old.trackings.SHIPMENT.detailsStatus = 'older';
      await query(`UPDATE cards SET view = $1, phase = 'IN_TRANSIT' WHERE issuer_id = $2 AND card_id = 'card-2'`, [JSON.stringify(old), ISSUER]);
      await query(`UPDATE cards SET state = '{not a row' WHERE issuer_id = $1 AND card_id = 'card-5'`, [OTHER]);
      // A card notified after the upgrade, before the re-derive reaches it:
      // its view was written by another library version (view_version), so
      // the outbox says what changed from that view.
      const [four] = await query(`SELECT view FROM cards WHERE issuer_id = $1 AND card_id = 'card-4'`, [ISSUER]);
      await query(`UPDATE cards SET view = $1, phase = 'IN_TRANSIT', view_version = NULL WHERE issuer_id = $2 AND card_id = 'card-4'`,
        [JSON.stringify({ ...JSON.parse(four.view), phase: 'IN_TRANSIT' }), ISSUER]);
      const returning = JSON.stringify({ operations: [{
        operationId: 'op-card-4-return', operation: 'STANDALONE_TRACKING', status: 'PENDING',
        startTime: '2026-03-05T09:00:00.000Z', cardId: 'card-4', details: { trackingType: 'RETURN' },
      }] });
      assert.equal((await receiver.d1(notifyPath(ISSUER), { method: 'POST', body: returning })).status, 204);
      const [folded4] = await query(`SELECT phase FROM cards WHERE issuer_id = $1 AND card_id = 'card-4'`, [ISSUER]);
      await until(() => outbox().some((r) => r.cardId === 'card-4' && r.trackingType === 'RETURN'), 'card-4 delivered');
      const four4 = outbox().filter((r) => r.issuerId === ISSUER && r.cardId === 'card-4');
      assert.deepEqual(four4.map((r) => r.seq), four4.map((_, i) => i + 1));
      assert.deepEqual(four4.filter((r) => r.field === 'phase').at(-1).old, 'IN_TRANSIT');
      assert.equal(four4.filter((r) => r.field === 'phase').at(-1).new, folded4.phase);

      const dry = await rederive(env, ['--dry-run', '--page-size', '3']);
      assert.equal(dry.code, 0, dry.err);
      const dryTotals = dry.lines.at(-1);
      assert.deepEqual([dryTotals.event, dryTotals.cards, dryTotals.changed, dryTotals.changes, dryTotals.unreadable],
        ['rederived', 7, 1, 2, 1]);
      assert.equal((await query(`SELECT phase FROM cards WHERE issuer_id = $1 AND card_id = 'card-2'`, [ISSUER]))[0].phase, 'IN_TRANSIT');

      const run = await rederive(env, ['--page-size', '3']);
      assert.equal(run.code, 0, run.err);
      // Pages of 3 over 7 rows (6 readable), by issuer then card, each resumable from its line.
      assert.deepEqual(run.lines.filter((l) => l.event === 'rederive_page').map((l) => l.after),
        [`${ISSUER}/card-4`, `${OTHER}/card-3`, `${OTHER}/card-5`]);
      assert.equal(run.lines.filter((l) => l.event === 'rederive_unreadable').length, 1);
      const [after] = await query(`SELECT view, phase, outbox_seq FROM cards WHERE issuer_id = $1 AND card_id = 'card-2'`, [ISSUER]);
      assert.equal(after.phase, 'DELIVERED');
      assert.equal(after.view, before.view);
      assert.equal(Number(after.outbox_seq), Number(before.outbox_seq) + 2);
      await until(() => outbox().some((r) => r.cardId === 'card-2' && r.field === 'phase' && r.old === 'IN_TRANSIT'), 're-derived rows delivered');
      const chain = outbox().filter((r) => r.issuerId === ISSUER && r.cardId === 'card-2');
      assert.deepEqual(chain.map((r) => r.seq), chain.map((_, i) => i + 1));
      assert.deepEqual(chain.slice(-2).map((r) => [r.trackingType, r.field, r.old, r.new]),
        [['SHIPMENT', 'detailsStatus', 'older', null], [null, 'phase', 'IN_TRANSIT', 'DELIVERED']]);

      const again = await rederive(env);
      assert.equal(again.code, 0, again.err);
      assert.equal(again.lines.at(-1).changed, 0);
      // Resumed past the last card: nothing to do.
      const resumed = await rederive(env, ['--after', `${OTHER}/card-5`]);
      assert.equal(resumed.lines.at(-1).cards, 0);
      assert.equal((await rederive(env, ['--after', 'no-slash'])).code, 2);
    }));
}
