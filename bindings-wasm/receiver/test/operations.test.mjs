// What operations staff do (README, "Re-driving dead letters" and
// "Workers"): re-drive parked and rejected letters after fixing the cause,
// with a dry run first, through the admin route and the command; set a
// letter aside; stop `npm start` with SIGTERM and find no process left.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { NOTIFY, pending } from './bodies.mjs';
import { TEST_ADMIN_TOKEN, TEST_TOKEN, SKIP_WITHOUT_POSTGRES, startReceiver, withPostgresDatabase } from './harness.mjs';

const RECEIVER = fileURLToPath(new URL('..', import.meta.url));

/** The processes of `pids` still running. */
const alivePids = (pids) => [...pids].filter((pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
});
const fat = {
  operationId: 'op-fat', operation: 'STANDALONE_TRACKING', status: 'SUCCESSFUL', startTime: '2026-03-02T09:00:00.000Z',
  cardId: 'card-f',
  details: { trackingType: 'SHIPMENT', shipment: { carrier: 'UPS', status: 'Delivered', message: 'x'.repeat(2000), trackingUrl: `https://ups.example/${'y'.repeat(1900)}` } },
};
const invalid = { ...JSON.parse(pending('card-i')).operations[0], operationId: 'op-bad', status: 'NOT_A_STATUS' };

const DATABASES = [
  { name: 'SQLite', skip: false, with: async (dir, fn) => fn({ SQLITE_PATH: join(dir, 'r.db') }) },
  { name: 'PostgreSQL', skip: SKIP_WITHOUT_POSTGRES, with: (dir, fn) => withPostgresDatabase('receiver_redrive', ({ url }) => fn({ DATABASE_URL: url })) },
];

for (const database of DATABASES) {
  test(`${database.name}: parked and rejected letters re-driven after the cause is fixed: a dry run changes nothing, the re-drive folds and marks them, what fails again is a new open letter`,
    { skip: database.skip, timeout: 60_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'd1t-redrive-'));
      try {
        await database.with(dir, async (env) => {
          const start = (extra) => startReceiver({ ...env, WORKERS: '1', OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0', ...extra });
          let receiver = await start({ MAX_CARD_BYTES: '4096' });
          try {
            assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-f') })).status, 204);
            assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: JSON.stringify({ operations: [fat, invalid] }) })).status, 204);
          } finally {
            await receiver.stop();
          }
          // The cause fixed: the bound raised.
          receiver = await start({});
          try {
            const admin = (path, body) => receiver.admin(path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
            const open = async () => (await (await admin('/dead-letters')).json()).deadLetters;
            const letters = await open();
            assert.deepEqual(letters.map((l) => [l.code, l.operationId]), [['FIELD_INVALID_VALUE', 'op-bad'], ['CARD_TOO_LARGE', 'op-fat']]);
            assert.deepEqual(JSON.parse(Buffer.from(letters[1].rawBase64, 'base64')), fat);
            const shipment = async () => (await (await admin('/cards/card-f')).json()).trackings.SHIPMENT.shipment;

            const dryAnswer = await (await admin('/dead-letters/redrive', { dryRun: true })).json();
            const dry = dryAnswer.results;
            assert.ok(dry, JSON.stringify(dryAnswer) + JSON.stringify(receiver.entries.filter((e) => e.level === 'error')));
            assert.deepEqual(dry.map((r) => [r.outcome, r.dryRun]), [['failed again', true], ['redriven', true]]);
            assert.equal(await shipment(), null, 'a dry run writes nothing');
            assert.equal((await open()).length, 2);

            const done = (await (await admin('/dead-letters/redrive', {})).json()).results;
            assert.deepEqual(done.map((r) => [r.id, r.outcome, r.deadLetters]), [
              [letters[0].id, 'failed again', ['FIELD_INVALID_VALUE']], [letters[1].id, 'redriven', []]]);
            assert.equal((await shipment()).status, 'Delivered');
            const after = await open();
            assert.equal(after.length, 1);
            assert.equal(after[0].redriveOf, letters[0].id);
            const redriven = (await (await admin('/dead-letters?status=redriven')).json()).deadLetters;
            assert.deepEqual(redriven.map((l) => l.id), letters.map((l) => l.id));
            assert.match(await (await admin('/metrics')).text(), /^d1t_dead_letters_open 1$/m);
            // Again: nothing open is left to fold but the new letter; a letter already re-driven is not open.
            assert.deepEqual((await (await admin('/dead-letters/redrive', { ids: [letters[1].id] })).json()).results,
              [{ id: letters[1].id, outcome: 'not open', status: 'redriven' }]);
            // Set aside by an operator.
            const discarded = await admin(`/dead-letters/${after[0].id}/discard`, {});
            assert.equal(discarded.status, 200);
            assert.equal((await admin(`/dead-letters/${after[0].id}/discard`, {})).status, 409);
            assert.match(await (await admin('/metrics')).text(), /^d1t_dead_letters_open 0$/m);
          } finally {
            await receiver.stop();
          }
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}

test('SQLite: npm run redrive, without credentials: a dry run, then the re-drive', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-redrive-cli-'));
  const path = join(dir, 'r.db');
  try {
    const receiver = await startReceiver({ SQLITE_PATH: path, WORKERS: '1', OUTBOX_LOG: join(dir, 'o.jsonl'), RECONCILE_INTERVAL_MS: '0', MAX_CARD_BYTES: '4096' });
    try {
      assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: JSON.stringify({ operations: [fat] }) })).status, 204);
    } finally {
      await receiver.stop();
    }
    const run = (...args) => spawnSync('npm', ['run', '--silent', 'redrive', '--', ...args], {
      cwd: RECEIVER, env: { PATH: process.env.PATH, HOME: process.env.HOME, SQLITE_PATH: path }, encoding: 'utf8',
    });
    const dry = run('--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.deepEqual(dry.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.outcome, r.dryRun]), [['redriven', true]]);
    const real = run('--code', 'CARD_TOO_LARGE');
    assert.equal(real.status, 0, real.stderr);
    assert.deepEqual(real.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.outcome, r.cards]), [['redriven', ['card-f']]]);
    assert.equal(run().stdout, '', 'nothing open is left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM to npm start stops the whole tree: npm, the primary and every worker', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-npm-start-'));
  try {
    const npm = spawn('npm', ['start'], {
      cwd: RECEIVER,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, SQLITE_PATH: join(dir, 'r.db'), OUTBOX_LOG: join(dir, 'o.jsonl'),
        WORKERS: '2', PORT: '0', ADMIN_PORT: '0', BEARER_TOKENS: TEST_TOKEN, ADMIN_TOKENS: TEST_ADMIN_TOKEN, SHUTDOWN_GRACE_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pids = new Set();
    let out = '';
    await new Promise((resolve, reject) => {
      npm.stdout.on('data', (d) => {
        out += d;
        for (const line of out.split('\n')) {
          if (line.startsWith('{')) {
            const e = JSON.parse(line);
            pids.add(e.pid);
          }
        }
        if ((out.match(/"event":"listening"/g) ?? []).length === 2) resolve();
      });
      npm.on('exit', () => reject(new Error(`npm start exited: ${out}`)));
    });
    assert.equal(pids.size, 3, 'the primary and two workers');
    const started = Date.now();
    npm.kill('SIGTERM');
    await new Promise((resolve) => npm.on('exit', resolve));
    const alive = () => alivePids(pids);
    while (alive().length > 0 && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(alive(), [], 'processes left running');
    assert.match(out, /"event":"stopped"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite: retention deletes done outbox rows and resolved dead letters past their age, never pending rows or open letters', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-retention-'));
  const path = join(dir, 'r.db');
  try {
    const env = { SQLITE_PATH: path, WORKERS: '1', OUTBOX_LOG: join(dir, 'o.jsonl'), RECONCILE_INTERVAL_MS: '0', RETENTION_INTERVAL_MS: '0' };
    let receiver = await startReceiver(env);
    try {
      for (const card of ['card-1', 'card-2', 'card-3']) assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending(card) })).status, 204);
      for (let i = 0; i < 3; i++) assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: JSON.stringify({ operations: [{ ...invalid, operationId: `bad-${i}` }] }) })).status, 204);
      const pendingRows = () => {
        const d = new Database(path, { readonly: true });
        try {
          return d.prepare('SELECT count(*) AS n FROM outbox WHERE done_ms IS NULL').get().n;
        } finally {
          d.close();
        }
      };
      for (let i = 0; i < 200 && pendingRows() > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(pendingRows(), 0);
    } finally {
      await receiver.stop();
    }
    // Age them: card-1's rows delivered 40 days ago, card-2's yesterday, card-3's pending;
    // one letter resolved 100 days ago, one yesterday, one open.
    const db = new Database(path);
    const day = 24 * 3600 * 1000;
    db.prepare("UPDATE outbox SET done_ms = ? WHERE card_id = 'card-1'").run(Date.now() - 40 * day);
    db.prepare("UPDATE outbox SET done_ms = ? WHERE card_id = 'card-2'").run(Date.now() - day);
    db.prepare("UPDATE outbox SET done_ms = NULL WHERE card_id = 'card-3'").run();
    const ids = db.prepare('SELECT id FROM dead_letters ORDER BY id').pluck().all();
    db.prepare("UPDATE dead_letters SET status = 'redriven', resolved_ms = ? WHERE id = ?").run(Date.now() - 100 * day, ids[0]);
    db.prepare("UPDATE dead_letters SET status = 'discarded', resolved_ms = ? WHERE id = ?").run(Date.now() - day, ids[1]);
    const outboxOf = (card) => db.prepare('SELECT count(*) AS n FROM outbox WHERE card_id = ?').get(card).n;
    const before = { 'card-1': outboxOf('card-1'), 'card-2': outboxOf('card-2'), 'card-3': outboxOf('card-3') };
    // No dispatcher may deliver card-3 meanwhile: the callback module refuses everything.
    const refuse = join(dir, 'refuse.mjs');
    writeFileSync(refuse, 'export default async () => { throw new Error("not now"); };');
    receiver = await startReceiver({ ...env, RETENTION_INTERVAL_MS: '200', OUTBOX_MODULE: refuse });
    try {
      const pruned = await receiver.waitFor((e) => e.event === 'pruned', 10_000);
      assert.deepEqual([pruned.outbox, pruned.deadLetters], [before['card-1'], 1]);
    } finally {
      await receiver.stop();
    }
    assert.equal(outboxOf('card-1'), 0);
    assert.equal(outboxOf('card-2'), before['card-2']);
    assert.equal(outboxOf('card-3'), before['card-3']);
    assert.deepEqual(db.prepare('SELECT id FROM dead_letters ORDER BY id').pluck().all(), ids.slice(1));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the primary killed with SIGKILL: its workers stop on their own (nothing else would), and the next start has the state', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-primary-'));
  try {
    const receiver = await startReceiver({
      SQLITE_PATH: join(dir, 'r.db'), WORKERS: '2', OUTBOX_LOG: join(dir, 'o.jsonl'), RECONCILE_INTERVAL_MS: '0', SHUTDOWN_GRACE_MS: '1000',
    });
    const workers = receiver.entries.filter((e) => e.event === 'listening').map((e) => e.pid);
    assert.equal(workers.length, 2);
    assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-1') })).status, 204);
    receiver.proc.kill('SIGKILL');
    const started = Date.now();
    const alive = () => alivePids(workers);
    while (alive().length > 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(alive(), [], 'workers left running without their primary');
    // A new start on the same file has the card (the workers closed it on their way out).
    const again = await startReceiver({ SQLITE_PATH: join(dir, 'r.db'), WORKERS: '1', OUTBOX_LOG: join(dir, 'o.jsonl'), RECONCILE_INTERVAL_MS: '0' });
    try {
      assert.equal((await again.admin('/cards/card-1')).status, 200);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
