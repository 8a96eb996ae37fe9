// What cannot be folded is parked, never lost and never retried for ever
// (README, "What happens to a body"): each fault injected into a real process
// tree, on SQLite and on PostgreSQL, asserting the answer, the dead letter's
// exact bytes, and that the other cards of the body fold.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

import { SKIP_WITHOUT_POSTGRES, databases, startReceiver } from './harness.mjs';

const ISSUER = 'ISSUER0001';
const NOTIFY = `/notifications/d1/v2/issuers/${ISSUER}/cards`;
const operation = (cardId, n, extra = {}) => ({
  operationId: `op-${cardId}-${n}`, operation: 'STANDALONE_TRACKING', status: 'PENDING',
  startTime: '2026-03-02T09:00:00.000Z', cardId, details: { trackingType: 'SHIPMENT' }, ...extra,
});
const body = (...operations) => JSON.stringify({ operations });

const DATABASES = databases('parking');
const REDRIVE = fileURLToPath(new URL('../src/redrive.mjs', import.meta.url));

async function withReceiver(database, env, fn) {
  await database.with(async (db) => {
    const dir = mkdtempSync(join(tmpdir(), 'd1t-parking-outbox-'));
    const receiver = await startReceiver({
      WORKERS: '1', OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0', ...db.env, ...env,
    });
    try {
      const notify = (text) => receiver.d1(NOTIFY, { method: 'POST', body: text });
      await fn({ receiver, notify, ...db });
      assert.deepEqual(receiver.entries.filter((e) => e.event === 'outbox_failed'), []);
    } finally {
      if (receiver.proc.exitCode === null) await receiver.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const letters = (query) => query('SELECT scope, card_id, operation_id, code, message, raw, raw_bytes FROM dead_letters ORDER BY id');
const phase = async (receiver, cardId) => {
  const res = await receiver.admin(`/cards/${cardId}`);
  return res.status === 200 ? (await res.json()).phase : res.status;
};

for (const database of DATABASES) {
  const { name, skip } = database;

  test(`${name}: a card row deleted while its outbox rows remain: 204, that card's operation parked with the database's error, the other card folded`,
    { skip }, () => withReceiver(database, {}, async ({ receiver, notify, query }) => {
      assert.equal((await notify(body(operation('card-a', 1)))).status, 204);
      await query("DELETE FROM cards WHERE card_id = 'card-a'");
      const next = body(operation('card-a', 2, { status: 'SUCCESSFUL' }), operation('card-b', 1));
      const res = await notify(next);
      assert.equal(res.status, 204);
      assert.equal(await phase(receiver, 'card-b'), 'TRACKING');
      const [letter, ...rest] = await letters(query);
      assert.equal(rest.length, 0);
      assert.equal(letter.scope, 'operation');
      assert.equal(letter.card_id, 'card-a');
      assert.equal(letter.operation_id, 'op-card-a-2');
      assert.equal(letter.code, 'HOST_FAILED');
      assert.match(letter.message, /unique|UNIQUE/);
      assert.deepEqual(JSON.parse(Buffer.from(letter.raw_bytes).toString()), JSON.parse(next).operations[0]);
      // D1 sends it again: the same answer, card-b's notification a duplicate, one more dead letter.
      const outboxOfB = async () => Number((await query("SELECT count(*) AS n FROM outbox WHERE card_id = 'card-b'"))[0].n);
      const changesOfB = await outboxOfB();
      assert.ok(changesOfB > 0);
      assert.equal((await notify(next)).status, 204);
      assert.equal((await letters(query)).length, 2);
      assert.equal(await outboxOfB(), changesOfB);
      assert.ok(receiver.entries.some((e) => e.event === 'card_parked' && e.cardId === 'card-a'));
    }));

  test(`${name}: a NUL byte and invalid UTF-8: 400, the body kept as a dead letter byte for byte`,
    { skip }, () => withReceiver(database, {}, async ({ notify, query }) => {
      const bytes = Buffer.concat([Buffer.from('{"operations":[{"cardId":"card-n\0'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]);
      const res = await notify(bytes);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).code, 'PARSING_ERROR');
      const [letter] = await letters(query);
      assert.equal(letter.scope, 'body');
      assert.ok(Buffer.from(letter.raw_bytes).equals(bytes), 'raw_bytes are the bytes sent');
      assert.ok(letter.raw.includes('card-n\uFFFD') && !letter.raw.includes('\0'));
      // An escaped NUL inside a valid body is data like any other: folded.
      assert.equal((await notify(body(operation('card-m', 1, { issuerRequestId: 'a\u0000b' })))).status, 204);
    }));

  test(`${name}: a card's 65th operation is parked (retry false), not answered 503 for ever; the other card folds`,
    { skip }, () => withReceiver(database, {}, async ({ receiver, notify, query }) => {
      const full = Array.from({ length: 64 }, (_, i) => operation('card-c', i));
      assert.equal((await notify(body(...full))).status, 204);
      const res = await notify(body(operation('card-c', 64), operation('card-d', 1)));
      assert.equal(res.status, 204);
      assert.equal(await phase(receiver, 'card-d'), 'TRACKING');
      const [letter] = await letters(query);
      assert.equal(letter.operation_id, 'op-card-c-64');
      assert.equal(letter.code, 'LIMIT_EXCEEDED');
    }));

  test(`${name}: a card past MAX_CARD_BYTES: its operation parked as CARD_TOO_LARGE, its row unchanged, the other card folded`,
    { skip }, () => withReceiver(database, { MAX_CARD_BYTES: '4096' }, async ({ receiver, notify, query, env }) => {
      assert.equal((await notify(body(operation('card-f', 1)))).status, 204);
      const [before] = await query("SELECT state FROM cards WHERE card_id = 'card-f'");
      const fat = operation('card-f', 2, {
        status: 'SUCCESSFUL',
        details: { trackingType: 'SHIPMENT', shipment: { carrier: 'UPS', status: 'InTransit', message: 'x'.repeat(2000), trackingUrl: `https://ups.example/${'y'.repeat(1900)}` } },
      });
      const res = await notify(body(fat, operation('card-g', 1)));
      assert.equal(res.status, 204);
      const [letter, ...rest] = await letters(query);
      assert.equal(rest.length, 0);
      assert.equal(letter.card_id, 'card-f');
      assert.equal(letter.code, 'CARD_TOO_LARGE');
      assert.match(letter.message, /MAX_CARD_BYTES \(4096\)/);
      assert.deepEqual(JSON.parse(letter.raw), fat);
      const [after] = await query("SELECT state FROM cards WHERE card_id = 'card-f'");
      assert.equal(after.state, before.state);
      assert.equal(await phase(receiver, 'card-g'), 'TRACKING');
      // The card shows what it could not take; the other card nothing.
      const view = await (await receiver.admin('/cards/card-f')).json();
      assert.deepEqual(view.parked.map((p) => [p.code, p.operations]), [['CARD_TOO_LARGE', 1]]);
      assert.equal((await (await receiver.admin('/cards/card-g')).json()).parked, undefined);
      // The bound raised, a re-drive folds it and the card is clear.
      const redriven = spawnSync(process.execPath, [REDRIVE, '--code', 'CARD_TOO_LARGE'],
        { env: { ...process.env, ...env, MAX_CARD_BYTES: '1048576' }, encoding: 'utf8' });
      assert.equal(redriven.status, 0, redriven.stderr);
      assert.equal(JSON.parse(redriven.stdout.trim().split('\n')[0]).outcome, 'redriven');
      const cleared = await (await receiver.admin('/cards/card-f')).json();
      assert.deepEqual([cleared.trackings.SHIPMENT.shipment.carrier, cleared.parked], ['UPS', undefined]);
    }));
}

test('PostgreSQL: a body that meets a lock timeout again and again is parked after MAX_BODY_ATTEMPTS; other cards flow meanwhile',
  { skip: SKIP_WITHOUT_POSTGRES },
  () => withReceiver(DATABASES[1], { MAX_BODY_ATTEMPTS: '3', PG_LOCK_TIMEOUT_MS: '200' }, async ({ receiver, notify, query, url }) => {
    assert.equal((await notify(body(operation('card-x', 1)))).status, 204);
    // Another session holds card-x's row.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query("SELECT * FROM cards WHERE card_id = 'card-x' FOR UPDATE");
    try {
      const stuck = body(operation('card-x', 2, { status: 'SUCCESSFUL' }));
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const res = await notify(stuck);
        statuses.push(res.status);
        assert.ok(Date.now() - started < 5000, 'a lock wait answers within the timeout, not a hang');
        // Other cards are not blocked by it.
        assert.equal((await notify(body(operation(`card-y${i}`, 1)))).status, 204);
      }
      assert.deepEqual(statuses, [503, 503, 204]);
      const [letter] = await letters(query);
      assert.equal(letter.scope, 'body');
      assert.equal(letter.code, 'RETRIES_EXHAUSTED');
      assert.match(letter.message, /failed 3 times.*55P03/);
      assert.ok(Buffer.from(letter.raw_bytes).equals(Buffer.from(stuck)));
      assert.ok(receiver.entries.some((e) => e.event === 'body_parked'));
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  }));
