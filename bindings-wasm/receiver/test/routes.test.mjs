// Each route's answers, one process tree on a SQLite file per test: what D1
// and the bank's own systems see, and what the database keeps.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { ISSUER, NOTIFY, pending } from './bodies.mjs';
import { SKIP_WITHOUT_POSTGRES, startReceiver, withPostgresDatabase } from './harness.mjs';


async function withReceiver(env, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-routes-'));
  const db = join(dir, 'receiver.db');
  const receiver = await startReceiver({
    WORKERS: '1', SQLITE_PATH: db, OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0', ...env,
  });
  try {
    const notify = (body, headers = {}) => receiver.d1(NOTIFY, { method: 'POST', body, headers });
    await fn({ receiver, url: receiver.url, db, dir, notify, admin: receiver.admin });
  } finally {
    if (receiver.proc.exitCode === null) await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = (db, sql) => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all();
  } finally {
    d.close();
  }
};

test('a notification is committed before 204; GET serves its view; unknown cards are 404', async () => {
  await withReceiver({}, async ({ url, db, notify, admin }) => {
    assert.equal((await notify(pending('card-1'))).status, 204);
    const res = await admin(`/cards/card-1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const view = await res.json();
    assert.equal(view.phase, 'TRACKING');
    assert.equal(view.trackings.SHIPMENT.status, 'PENDING');
    assert.equal(rows(db, "SELECT phase FROM cards WHERE card_id = 'card-1'")[0].phase, 'TRACKING');
    const unknown = await admin(`/cards/card-2`);
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).code, 'CARD_UNKNOWN');
    assert.equal((await admin(`/cards/not%20an%20id`)).status, 404);
  });
});

test('logs: JSON lines with an ISO time and a level; an access line per request with its request id, given or made', async () => {
  await withReceiver({}, async ({ receiver, notify }) => {
    const mine = await notify(pending('card-1'), { 'x-request-id': 'd1-call-0001' });
    assert.equal(mine.headers.get('x-request-id'), 'd1-call-0001');
    const made = await notify(pending('card-2'));
    assert.match(made.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
    for (const [id, status] of [['d1-call-0001', 204], [made.headers.get('x-request-id'), 204]]) {
      const line = await receiver.waitFor((e) => e.event === 'request' && e.requestId === id);
      assert.equal(line.status, status);
      assert.equal(line.listener, 'd1');
      assert.equal(line.method, 'POST');
      assert.ok(line.ms >= 0);
    }
    assert.ok(receiver.entries.filter((e) => e.event !== 'text')
      .every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.time) && typeof e.level === 'string'));
  });
});

test('a body rejected whole: 400 {code, path, message}, kept as a dead letter, nothing else written', async () => {
  await withReceiver({}, async ({ url, db, notify, admin }) => {
    const body = '{"operations":[{"operationId":"x"';
    const res = await notify(body);
    assert.equal(res.status, 400);
    const error = await res.json();
    assert.equal(error.code, 'PARSING_ERROR');
    assert.ok('path' in error && error.message.length > 0);
    const wrongType = await notify('{"operations":{}}');
    assert.deepEqual(Object.keys(await wrongType.json()), ['code', 'path', 'message']);
    const letters = rows(db, 'SELECT scope, issuer_id, code, raw FROM dead_letters ORDER BY id');
    assert.deepEqual(letters[0], { scope: 'body', issuer_id: ISSUER, code: 'PARSING_ERROR', raw: body });
    assert.equal(letters.length, 2);
    assert.equal(rows(db, 'SELECT count(*) AS n FROM cards')[0].n, 0);
    assert.equal(rows(db, 'SELECT count(*) AS n FROM outbox')[0].n, 0);
  });
});

test('an invalid operation beside valid ones: 204, the others folded, it a dead letter with its raw text', async () => {
  await withReceiver({}, async ({ url, db, notify, admin }) => {
    const ok = JSON.parse(pending('card-1')).operations[0];
    const bad = { ...ok, operationId: 'bad-1', status: 'NOT_A_STATUS' };
    assert.equal((await notify(JSON.stringify({ operations: [ok, bad] }))).status, 204);
    const [letter] = rows(db, 'SELECT scope, card_id, operation_id, code, path, raw FROM dead_letters');
    assert.equal(letter.scope, 'operation');
    assert.equal(letter.card_id, 'card-1');
    assert.equal(letter.code, 'FIELD_INVALID_VALUE');
    assert.equal(letter.path, 'operations[1].status');
    assert.deepEqual(JSON.parse(letter.raw), bad);
    assert.equal((await admin(`/cards/card-1`)).status, 200);
  });
});

test('a card whose stored row the library cannot read: 204, its operation a dead letter with its raw text, the other card folded', async () => {
  await withReceiver({}, async ({ url, db, notify, admin }) => {
    const writer = new Database(db);
    writer.prepare("INSERT INTO cards (issuer_id, card_id, state, outbox_seq) VALUES (?, 'card-0', '{not a row', 0)").run(ISSUER);
    writer.close();
    const stuck = JSON.parse(pending('card-0')).operations[0];
    const fine = JSON.parse(pending('card-1')).operations[0];
    assert.equal((await notify(JSON.stringify({ operations: [stuck, fine] }))).status, 204);
    const [letter] = rows(db, 'SELECT scope, card_id, code, path, raw FROM dead_letters');
    assert.equal(letter.scope, 'operation');
    assert.equal(letter.card_id, 'card-0');
    assert.equal(letter.code, 'SNAPSHOT_INVALID');
    assert.deepEqual(JSON.parse(letter.raw), stuck);
    assert.equal(rows(db, "SELECT state FROM cards WHERE card_id = 'card-0'")[0].state, '{not a row');
    assert.equal((await admin(`/cards/card-1`)).status, 200);
  });
});

test('a tracking request: 200 {view, changes}, its phase change in the outbox; bad input 400', async () => {
  await withReceiver({ OUTBOX_POLL_MS: '10' }, async ({ url, dir, notify, admin }) => {
    const input = { method: 'POST', body: JSON.stringify({ trackingType: 'SHIPMENT', atMs: 1772441000000 }) };
    // A card not stored yet, and no ISSUER_ID: the route must name the issuer.
    const unnamed = await admin('/cards/card-7/tracking-requests', input);
    assert.equal(unnamed.status, 400);
    assert.equal((await unnamed.json()).code, 'ISSUER_REQUIRED');
    const res = await admin(`/issuers/${ISSUER}/cards/card-7/tracking-requests`, input);
    assert.equal(res.status, 200);
    const { view, changes } = await res.json();
    assert.equal(view.phase, 'TRACKING_REQUESTED');
    assert.deepEqual(changes, [{ trackingType: null, field: 'phase', old: null, new: 'TRACKING_REQUESTED' }]);
    for (const [body, code] of [
      ['{"trackingType":"UNTYPED"}', 'FIELD_INVALID_VALUE'],
      ['{"trackingType":"SHIPMENT","atMs":-1}', 'FIELD_INVALID_FORMAT'],
      ['[1]', 'PARSING_ERROR'],
      ['nope', 'PARSING_ERROR'],
    ]) {
      const bad = await admin('/cards/card-7/tracking-requests', { method: 'POST', body });
      assert.equal(bad.status, 400, body);
      assert.equal((await bad.json()).code, code, body);
    }
    let lines = [];
    for (let i = 0; i < 100 && lines.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch { /* not yet written */ }
    }
    assert.deepEqual(lines, [{ id: 1, issuerId: ISSUER, cardId: 'card-7', seq: 1, trackingType: null, field: 'phase', old: null, new: 'TRACKING_REQUESTED' }]);
  });
});

test('limits: an oversized body is 413; an operation refused for capacity is 503 and nothing is committed', async () => {
  await withReceiver({ MAX_BODY_BYTES: '1000', MAX_STATE_BYTES: '100' }, async ({ url, db, notify, admin }) => {
    const big = await notify('x'.repeat(5000));
    assert.equal(big.status, 413);
    assert.equal((await big.json()).code, 'PAYLOAD_TOO_LARGE');
    // Kept, as far as it was read.
    const [letter] = rows(db, 'SELECT scope, code, raw FROM dead_letters');
    assert.equal(letter.scope, 'body');
    assert.equal(letter.code, 'PAYLOAD_TOO_LARGE');
    assert.ok(letter.raw.startsWith('x'.repeat(500)) && letter.raw.endsWith('[the rest was not read]'));
    const refused = await notify(pending('card-1'));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await refused.json()).code, 'RETRY_LATER');
    assert.equal(rows(db, 'SELECT count(*) AS n FROM cards')[0].n, 0);
    // Refused for now is not a dead letter: D1 sends it again.
    assert.equal(rows(db, 'SELECT count(*) AS n FROM dead_letters')[0].n, 1);
  });
});

test('a database that cannot commit answers 503 (D1 sends again), and the retry then lands', async () => {
  await withReceiver({ SQLITE_BUSY_TIMEOUT_MS: '100' }, async ({ url, db, notify, admin }) => {
    const holder = new Database(db);
    holder.exec('BEGIN EXCLUSIVE');
    const res = await notify(pending('card-1'));
    assert.equal(res.status, 503);
    assert.equal((await res.json()).code, 'UNAVAILABLE');
    holder.exec('ROLLBACK');
    holder.close();
    assert.equal((await notify(pending('card-1'))).status, 204);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });
});

test('SIGTERM finishes the request in flight, then exits 0', async () => {
  await withReceiver({}, async ({ receiver, url, notify, admin }) => {
    const body = pending('card-1');
    const { port } = new URL(url);
    const answered = new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: NOTIFY, method: 'POST',
        headers: { 'content-length': Buffer.byteLength(body), ...receiver.d1Headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      // Half the body now, the rest after SIGTERM reached the receiver.
      req.write(body.slice(0, 20));
      setTimeout(() => {
        receiver.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 100);
    });
    assert.equal(await answered, 204);
    assert.equal(await new Promise((resolve) => receiver.proc.on('exit', resolve)), 0);
    assert.ok(receiver.entries.some((e) => e.event === 'stopped'));
  });
});

test('reconciliation: quiet trackings are logged with the status query to send; an unreadable row is logged and skipped', async () => {
  await withReceiver({ RECONCILE_INTERVAL_MS: '100', RECONCILE_QUIET_MS: '0' }, async ({ receiver, url, db, notify, admin }) => {
    const writer = new Database(db);
    writer.prepare("INSERT INTO cards (issuer_id, card_id, state, outbox_seq) VALUES (?, 'card-0', '{not a row', 0)").run(ISSUER);
    writer.close();
    assert.equal((await notify(pending('card-9', 'op-9'))).status, 204);
    const unreadable = await receiver.waitFor((e) => e.event === 'row_unreadable', 10_000);
    assert.equal(unreadable.cardId, 'card-0');
    assert.equal(unreadable.code, 'SNAPSHOT_INVALID');
    const query = await receiver.waitFor((e) => e.event === 'status_query' && e.cardId === 'card-9', 10_000);
    assert.equal(query.trackingType, 'SHIPMENT');
    assert.equal(query.operationId, 'op-9');
    assert.equal(query.request.method, 'GET');
    assert.ok(query.request.path.includes(`/issuers/${ISSUER}/`) && query.request.path.includes('card-9'));
    assert.equal(query.issuerId, ISSUER);
    // Still due at the next passes, but handed on once (RECONCILE_REPEAT_MS).
    const passes = () => receiver.entries.filter((e) => e.event === 'reconciled').length;
    const after = passes();
    await receiver.waitFor(() => passes() >= after + 3, 10_000);
    assert.equal(receiver.entries.filter((e) => e.event === 'status_query' && e.cardId === 'card-9').length, 1);
    const last = receiver.entries.filter((e) => e.event === 'reconciled').at(-1);
    assert.deepEqual([last.due, last.handed, last.failed], [1, 0, 0]);
  });
});

test('reconciliation through RECONCILE_MODULE: each due tracking handed to the hook once; a hook that throws is logged and tried again at the next pass', async () => {
  const hookDir = mkdtempSync(join(tmpdir(), 'd1t-hook-'));
  const handed = join(hookDir, 'handed.jsonl');
  const hook = join(hookDir, 'hook.mjs');
  writeFileSync(hook, `import { appendFileSync } from 'node:fs';
let calls = 0;
export default async (tracking, { signal }) => {
  if (!(signal instanceof AbortSignal)) throw new Error('no signal');
  if (++calls === 1) throw new Error('the bank sender is down');
  appendFileSync(${JSON.stringify(handed)}, JSON.stringify(tracking) + '\\n');
};
`);
  try {
    await withReceiver({ RECONCILE_INTERVAL_MS: '100', RECONCILE_QUIET_MS: '0', RECONCILE_MODULE: hook }, async ({ receiver, notify }) => {
      assert.equal((await notify(pending('card-9', 'op-9'))).status, 204);
      const failed = await receiver.waitFor((e) => e.event === 'reconcile_hook_failed', 10_000);
      assert.deepEqual([failed.cardId, failed.message], ['card-9', 'the bank sender is down']);
      const passes = () => receiver.entries.filter((e) => e.event === 'reconciled').length;
      const after = passes();
      await receiver.waitFor(() => passes() >= after + 4, 10_000);
      const lines = readFileSync(handed, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.equal(lines.length, 1);
      assert.deepEqual([lines[0].issuerId, lines[0].cardId, lines[0].trackingType, lines[0].operationId],
        [ISSUER, 'card-9', 'SHIPMENT', 'op-9']);
      assert.equal(lines[0].query.method, 'GET');
      assert.ok(!receiver.entries.some((e) => e.event === 'status_query'), 'the hook replaces the log line');
    });
  } finally {
    rmSync(hookDir, { recursive: true, force: true });
  }
});

test('PostgreSQL unreachable: /healthz and notifications answer 503; back, they answer 200 and 204',
  { skip: SKIP_WITHOUT_POSTGRES },
  () => withPostgresDatabase('receiver_outage', async ({ url, database, admin }) => {
    const receiver = await startReceiver({
      WORKERS: '1', DATABASE_URL: url, OUTBOX_LOG: '/dev/null', RECONCILE_INTERVAL_MS: '0',
    });
    try {
      assert.equal((await fetch(`${receiver.url}/healthz`)).status, 200);
      // The database refuses connections, and drops the receiver's.
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      const health = await fetch(`${receiver.url}/healthz`);
      assert.equal(health.status, 503);
      assert.equal((await health.json()).status, 'unavailable');
      const refused = await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-1') });
      assert.equal(refused.status, 503);
      assert.equal((await refused.json()).code, 'UNAVAILABLE');
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      assert.equal((await fetch(`${receiver.url}/healthz`)).status, 200);
      assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-1') })).status, 204);
      assert.equal((await receiver.admin('/cards/card-1')).status, 200);
    } finally {
      await receiver.stop();
    }
  }));
