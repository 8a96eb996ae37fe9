// The outbox under a failing and a hanging callback (README, "The outbox"),
// on a real process tree with OUTBOX_MODULE naming a callback written here:
// the other cards are delivered, the failing card's rows are tried again
// after a back-off and its queue parked after OUTBOX_MAX_ATTEMPTS, a hung
// delivery is cut at its deadline, SIGTERM completes, and a re-drive hands
// the parked queue on once the cause is fixed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { NOTIFY, pending } from './bodies.mjs';
import { SKIP_WITHOUT_POSTGRES, startReceiver, withPostgresDatabase } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A callback module: appends delivered rows to `delivered.jsonl`; refuses
 * `card-bad` until the file `fixed` exists; never returns for `card-hang…`
 * (and ignores its abort signal).
 */
function writeCallback(dir) {
  const file = join(dir, 'callback.mjs');
  writeFileSync(file, `
    import { appendFileSync, existsSync } from 'node:fs';
    export default async function deliver(rows, { signal }) {
      if (rows.some((r) => r.cardId.startsWith('card-hang'))) return new Promise(() => {});
      if (rows.some((r) => r.cardId === 'card-bad') && !existsSync(${JSON.stringify(join(dir, 'fixed'))})) {
        throw new Error('the bank refused card-bad');
      }
      if (!(signal instanceof AbortSignal)) throw new Error('no signal');
      appendFileSync(${JSON.stringify(join(dir, 'delivered.jsonl'))}, rows.map((r) => JSON.stringify(r) + '\\n').join(''));
    }
  `);
  return file;
}

const delivered = (dir) => (existsSync(join(dir, 'delivered.jsonl'))
  ? readFileSync(join(dir, 'delivered.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : []);

async function until(what, fn, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

const DATABASES = [
  { name: 'SQLite', skip: false, with: async (dir, fn) => fn({ SQLITE_PATH: join(dir, 'r.db') }) },
  { name: 'PostgreSQL', skip: SKIP_WITHOUT_POSTGRES, with: (dir, fn) => withPostgresDatabase('receiver_outbox', ({ url }) => fn({ DATABASE_URL: url })) },
];

for (const database of DATABASES) {
  test(`${database.name}: a callback that refuses one card: the other cards are delivered, that card retried with back-off, parked after 3 attempts, re-driven once fixed`,
    { skip: database.skip, timeout: 60_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'd1t-outbox-'));
      try {
        await database.with(dir, async (env) => {
          const receiver = await startReceiver({
            ...env, WORKERS: '2', OUTBOX_MODULE: writeCallback(dir), OUTBOX_POLL_MS: '20', RECONCILE_INTERVAL_MS: '0',
            OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_MS: '200', OUTBOX_RETRY_MAX_MS: '2000', OUTBOX_BATCH: '7',
          });
          try {
            assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-bad') })).status, 204);
            const others = Array.from({ length: 50 }, (_, i) => `card-${i}`);
            for (const cardId of others) assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending(cardId) })).status, 204);
            // Every other card's changes are handed on, while card-bad's are refused.
            await until('the other cards delivered', () => {
              const cards = new Set(delivered(dir).map((r) => r.cardId));
              return others.every((c) => cards.has(c));
            });
            const parked = await until('card-bad parked', async () => {
              const { parked: list } = await (await receiver.admin('/outbox/parked')).json();
              return list.length > 0 && list;
            });
            assert.deepEqual(parked.map((p) => [p.cardId, p.attempts, p.lastError]), [['card-bad', 3, 'the bank refused card-bad']]);
            assert.ok(!delivered(dir).some((r) => r.cardId === 'card-bad'));
            // Two retries, each after a back-off that grows (jitter: half to all of 200 ms, then of 400 ms).
            const retries = receiver.entries.filter((e) => e.event === 'outbox_retry' && e.cardId === 'card-bad');
            assert.equal(retries.length, 2);
            assert.ok(retries[0].retryInMs >= 100 && retries[0].retryInMs <= 200, `first back-off ${retries[0].retryInMs}`);
            assert.ok(retries[1].retryInMs >= 200 && retries[1].retryInMs <= 400, `second back-off ${retries[1].retryInMs}`);
            assert.ok(retries[1].seenMs - retries[0].seenMs >= retries[0].retryInMs - 20, 'the retry waited for its back-off');
            assert.ok(receiver.entries.some((e) => e.event === 'outbox_parked' && e.cardId === 'card-bad'));
            const metrics = await (await receiver.admin('/metrics')).text();
            assert.match(metrics, /^d1t_outbox_parked_cards 1$/m);
            // Parked means not tried again.
            const attemptsBefore = receiver.entries.filter((e) => e.cardId === 'card-bad' && e.event.startsWith('outbox_')).length;
            await sleep(1000);
            assert.equal(receiver.entries.filter((e) => e.cardId === 'card-bad' && e.event.startsWith('outbox_')).length, attemptsBefore);
            // Fixed, re-driven: delivered.
            writeFileSync(join(dir, 'fixed'), '');
            const redrive = await receiver.admin('/outbox/card-bad/redrive', { method: 'POST' });
            assert.equal(redrive.status, 200);
            assert.ok((await redrive.json()).rows >= 1);
            await until('card-bad delivered after the re-drive', () => delivered(dir).some((r) => r.cardId === 'card-bad'));
            assert.match(await (await receiver.admin('/metrics')).text(), /^d1t_outbox_parked_cards 0$/m);
            // Batches counted rows, not cards.
            assert.ok(receiver.entries.every((e) => e.event !== 'outbox_failed'));
          } finally {
            await receiver.stop();
          }
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}

test('SQLite: a callback that never returns: cut at OUTBOX_TIMEOUT_MS, the other cards delivered, and SIGTERM completes', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-outbox-hang-'));
  try {
    const receiver = await startReceiver({
      SQLITE_PATH: join(dir, 'r.db'), WORKERS: '1', OUTBOX_MODULE: writeCallback(dir), OUTBOX_POLL_MS: '20',
      RECONCILE_INTERVAL_MS: '0', OUTBOX_TIMEOUT_MS: '500', OUTBOX_RETRY_MS: '5000', SHUTDOWN_GRACE_MS: '1000',
    });
    assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-hang') })).status, 204);
    assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-ok') })).status, 204);
    await until('card-ok delivered', () => delivered(dir).some((r) => r.cardId === 'card-ok'));
    const timedOut = await receiver.waitFor((e) => e.event === 'outbox_retry' && e.cardId === 'card-hang');
    assert.match(timedOut.message, /^DELIVERY_TIMEOUT: the callback did not finish within 500 ms/);
    // Now a delivery that hangs is in hand (card-hang's retry is due in 2.5 to 5 s): SIGTERM.
    await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-hang-2') });
    await sleep(200);
    const started = Date.now();
    const code = await receiver.stop();
    const ms = Date.now() - started;
    assert.ok(ms < 1000 + 5000, `SIGTERM took ${ms} ms`);
    assert.equal(code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
