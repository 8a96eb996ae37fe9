// Database faults injected into real processes (README, "Database faults"):
// PostgreSQL sessions terminated again and again under load and the server
// crashed and restarted; a table locked; SQLite's write lock held by another
// process. Each asserts that nothing acknowledged is lost, that a stall
// becomes a quick 503 rather than a hang, and that the worker keeps
// answering meanwhile.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import Database from 'better-sqlite3';
import pg from 'pg';

import { NOTIFY, pending } from './bodies.mjs';
import { SKIP_WITHOUT_POSTGRES, startReceiver, withPostgresDatabase } from './harness.mjs';
import { loadUnderFault } from './load.mjs';

const POSTGRES_SH = fileURLToPath(new URL('./postgres.sh', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const timed = async (promise) => {
  const started = Date.now();
  const value = await promise;
  return { value, ms: Date.now() - started };
};

test('PostgreSQL: sessions terminated every 200 ms under load and the server crashed and restarted: no worker dies, nothing acknowledged is lost',
  { timeout: 240_000, skip: SKIP_WITHOUT_POSTGRES }, async (t) => {
    // A server of this test's own, so that it can be crashed.
    const dir = mkdtempSync(join(tmpdir(), 'd1t-pg-crash-'));
    execFileSync('chmod', ['755', dir]);
    const server = execFileSync(POSTGRES_SH, ['start', dir], { encoding: 'utf8' }).trim();
    const admin = new pg.Pool({ connectionString: server, max: 2 });
    admin.on('error', () => {});
    try {
      await admin.query('CREATE DATABASE receiver_crash');
      const url = new URL(server);
      url.pathname = '/receiver_crash';
      const figures = { terminated: 0, downMs: 0 };
      const fault = {
        name: 'PostgreSQL sessions terminated, the server crashed and restarted',
        async run({ progress, sending, total }) {
          let crashed = false;
          while (sending()) {
            await sleep(200);
            if (!crashed && progress() >= total / 2) {
              crashed = true;
              const down = Date.now();
              execFileSync(POSTGRES_SH, ['crash', dir]);
              await sleep(2000);
              execFileSync(POSTGRES_SH, ['restart', dir]);
              figures.downMs = Date.now() - down;
              continue;
            }
            try {
              const { rows } = await admin.query(`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                WHERE datname = 'receiver_crash' AND pid <> pg_backend_pid()`);
              figures.terminated += Number(rows[0].n);
            } catch { /* the server is restarting */ }
          }
        },
        async check({ receiver }, tally) {
          const fatal = receiver.entries.filter((e) => e.event === 'worker_died' || e.level === 'fatal');
          assert.deepEqual(fatal, [], 'no worker died');
          assert.ok(figures.terminated >= 20, `sessions terminated: ${figures.terminated}`);
          assert.ok(figures.downMs >= 2000);
          assert.ok((tally.statuses[503] ?? 0) > 0, 'the outage was answered 503');
          return { ...figures, answered503: tally.statuses[503] ?? 0 };
        },
      };
      const pool = new pg.Pool({ connectionString: url.href });
      pool.on('error', () => {});
      try {
        await loadUnderFault(t, { env: { DATABASE_URL: url.href, PG_CONNECT_TIMEOUT_MS: '2000' }, query: async (sql) => (await pool.query(sql)).rows, fault, cards: 800 });
      } finally {
        await pool.end();
      }
    } finally {
      await admin.end();
      execFileSync(POSTGRES_SH, ['stop', dir]);
    }
  });

test('PostgreSQL: a table locked by another session: 503 within PG_LOCK_TIMEOUT_MS, not a hang; /livez answers; then 204',
  { skip: SKIP_WITHOUT_POSTGRES },
  () => withPostgresDatabase('receiver_locked', async ({ url }) => {
    const receiver = await startReceiver({
      WORKERS: '1', DATABASE_URL: url, OUTBOX_LOG: join(tmpdir(), `d1t-locked-${process.pid}.jsonl`),
      RECONCILE_INTERVAL_MS: '0', PG_LOCK_TIMEOUT_MS: '500',
    });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-1') })).status, 204);
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE cards IN ACCESS EXCLUSIVE MODE');
      const posts = await Promise.all(Array.from({ length: 20 }, (_, i) => timed(receiver.d1(NOTIFY, { method: 'POST', body: pending(`card-l${i}`) }))));
      for (const { value, ms } of posts) {
        assert.equal(value.status, 503);
        assert.equal(value.headers.get('retry-after'), '1');
        assert.ok(ms < 3000, `answered in ${ms} ms`);
      }
      const live = await timed(fetch(`${receiver.url}/livez`));
      assert.equal(live.value.status, 200);
      assert.ok(live.ms < 500);
      await holder.query('ROLLBACK');
      assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-l0') })).status, 204);
      assert.deepEqual(receiver.entries.filter((e) => e.level === 'fatal'), []);
    } finally {
      await holder.end();
      await receiver.stop();
    }
  }));

test('SQLite: the write lock held by another process: /livez and reads answer meanwhile, the write is 503 after SQLITE_BUSY_TIMEOUT_MS, then 204', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-sqlite-lock-'));
  const path = join(dir, 'r.db');
  const receiver = await startReceiver({
    WORKERS: '1', SQLITE_PATH: path, OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0', SQLITE_BUSY_TIMEOUT_MS: '2000',
  });
  try {
    assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-1') })).status, 204);
    // Another process takes the write lock and keeps it until told.
    const holder = spawn(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(path)});
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked\\n');
      process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
    `], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const write = timed(receiver.d1(NOTIFY, { method: 'POST', body: pending('card-2') }));
    // While the write waits for the lock, the worker's event loop is free.
    const probes = [];
    for (let i = 0; i < 10; i++) {
      probes.push(await timed(fetch(`${receiver.url}/livez`)));
      await sleep(100);
    }
    const read = await timed(receiver.admin('/cards/card-1'));
    const { value, ms } = await write;
    holder.stdin.write('release\n');
    await new Promise((resolve) => holder.on('exit', resolve));
    assert.ok(probes.every((p) => p.value.status === 200 && p.ms < 250), `livez: ${probes.map((p) => p.ms).join(', ')} ms`);
    assert.equal(read.value.status, 200);
    assert.ok(read.ms < 250, `a read took ${read.ms} ms`);
    assert.equal(value.status, 503);
    assert.ok(ms >= 1900 && ms < 4000, `the write answered after ${ms} ms`);
    assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-2') })).status, 204);
    const db = new Database(path, { readonly: true });
    assert.equal(db.prepare('SELECT count(*) AS n FROM cards').get().n, 2);
    db.close();
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
