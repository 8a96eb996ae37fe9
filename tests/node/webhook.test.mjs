// End to end: the example receiver on a loopback port gets a real log over
// HTTP (shuffled, with duplicates and bulk bodies), is restarted, and serves
// the same card views as the Rust replay of the same log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonical, pkg, root } from './helpers.mjs';
import { createReceiver } from '../../bindings-wasm/examples/webhook-server.mjs';

const ROUTE = '/notifications/d1/v2/issuers/ISSUER0001/cards';

async function start(snapshotFile) {
  const { server } = createReceiver({ pkg, snapshotFile });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

const stop = (server) => new Promise((resolve) => server.close(resolve));

function shuffled(items, seed) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test('the webhook receiver folds a log over HTTP, survives a restart, and agrees with replay', async () => {
  const lines = readFileSync(join(root, 'core', 'examples', 'data', 'sample-log.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim() && !l.includes('"request"'));
  const valid = lines.filter((l) => { try { JSON.parse(l); return true; } catch { return false; } });
  const malformed = lines.filter((l) => !valid.includes(l));
  assert.equal(malformed.length, 1);
  // Bulk bodies: the operations of several lines in one POST.
  const ops = valid.flatMap((l) => JSON.parse(l).operations);
  const bulk = [0, 5, 10].map((i) => JSON.stringify({ operations: ops.slice(i, i + 5) }));

  const dir = mkdtempSync(join(tmpdir(), 'd1-webhook-'));
  const snapshotFile = join(dir, 'tracker.json');
  try {
    let { server, base } = await start(snapshotFile);
    const post = (body) => fetch(`${base}${ROUTE}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const half = Math.floor(valid.length / 2);
    for (const body of shuffled([...valid.slice(0, half), ...bulk, valid[0], valid[1]], 7)) {
      assert.equal((await post(body)).status, 204);
    }
    const bad = await post(malformed[0]);
    assert.equal(bad.status, 400);
    const error = await bad.json();
    assert.equal(error.code, 'PARSING_ERROR');
    assert.equal((await fetch(`${base}/cards/card-9999`)).status, 404);
    assert.equal((await fetch(`${base}/nowhere`, { method: 'POST', body: '{}' })).status, 404);
    await stop(server);
    assert.ok(existsSync(snapshotFile), 'the snapshot was persisted');

    // Restart: the state comes back from the snapshot; the rest of the log arrives.
    ({ server, base } = await start(snapshotFile));
    for (const body of shuffled([...valid.slice(half), ...valid], 11)) {
      assert.equal((await post(body)).status, 204);
    }
    const expected = JSON.parse(readFileSync(join(root, 'core', 'examples', 'data', 'sample-views.json'), 'utf8'))
      .cards.filter((c) => Object.keys(c.trackings).length > 0); // the log's request records are not sent here
    for (const card of expected) {
      const res = await fetch(`${base}/cards/${card.cardId}`);
      assert.equal(res.status, 200);
      assert.equal(canonical(await res.json()), canonical(card), card.cardId);
    }
    await stop(server);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
