// /metrics (README, "What to monitor"): the database's gauges, and the
// counters and histograms of every worker summed by the primary, so a scrape
// that lands on any worker sees the whole receiver; a worker restart counted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { NOTIFY, pending } from './bodies.mjs';
import { startReceiver } from './harness.mjs';

/** The value of the sample `name{labels…}` (labels in any order), or undefined. */
function sample(text, name, labels = {}) {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries((match[2] ?? '').split(',').filter(Boolean).map((pair) => {
      const [key, value] = pair.split('=');
      return [key, JSON.parse(value)];
    }));
    if (Object.entries(labels).every(([k, v]) => have[k] === String(v))) return Number(match[3]);
  }
  return undefined;
}

test('metrics summed across workers: requests by route and status, latency, library and database time, outbox deliveries, restarts; the gauges from the database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-metrics-'));
  const receiver = await startReceiver({
    WORKERS: '2', SQLITE_PATH: join(dir, 'r.db'), OUTBOX_LOG: join(dir, 'outbox.jsonl'), OUTBOX_POLL_MS: '10',
    RECONCILE_INTERVAL_MS: '0',
  });
  try {
    // Notifications on new connections until both workers have answered
    // some (the kernel picks the worker of each), at least twenty.
    const servedBy = () => new Set(receiver.entries.filter((e) => e.event === 'request' && e.status === 204).map((e) => e.pid));
    let sent = 0;
    while (sent < 20 || (servedBy().size < 2 && sent < 400)) {
      const res = await receiver.d1(NOTIFY, { method: 'POST', body: pending(`card-${sent}`), headers: { connection: 'close' } });
      assert.equal(res.status, 204);
      sent++;
    }
    assert.equal(servedBy().size, 2, 'both workers answered notifications');
    assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: '{', headers: { connection: 'close' } })).status, 400);
    let text = '';
    for (let i = 0; i < 200; i++) {
      const res = await receiver.admin('/metrics', { headers: { connection: 'close' } });
      assert.equal(res.status, 200);
      text = await res.text();
      if (sample(text, 'd1t_outbox_delivered_total') > 0 && sample(text, 'd1t_outbox_pending') === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    // Whichever worker answered, the sum is the receiver's.
    assert.equal(sample(text, 'd1t_requests_total', { listener: 'd1', route: 'notifications', status: 204 }), sent, text);
    assert.equal(sample(text, 'd1t_requests_total', { listener: 'd1', route: 'notifications', status: 400 }), 1);
    assert.equal(sample(text, 'd1t_request_duration_seconds_count', { listener: 'd1', route: 'notifications' }), sent + 1);
    assert.equal(sample(text, 'd1t_request_duration_seconds_bucket', { listener: 'd1', route: 'notifications', le: '+Inf' }), sent + 1);
    assert.ok(sample(text, 'd1t_library_seconds_total') > 0);
    assert.ok(sample(text, 'd1t_database_seconds_total') > 0);
    // Every row delivered, by whichever worker's dispatcher: the log's lines.
    const lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    assert.equal(sample(text, 'd1t_outbox_delivered_total'), lines);
    assert.equal(sample(text, 'd1t_outbox_delivery_failures_total'), 0);
    assert.equal(sample(text, 'd1t_cards'), sent);
    assert.equal(sample(text, 'd1t_dead_letters_open'), 1);
    assert.equal(sample(text, 'd1t_worker_restarts_total'), 0);

    // A worker killed is replaced and counted; the counts of the one still
    // serving stay in the sum (the dead one's are gone with it).
    const victim = receiver.entries.find((e) => e.event === 'listening' && e.slot === 1).pid;
    process.kill(victim, 'SIGKILL');
    await receiver.waitFor((e) => e.event === 'listening' && e.slot === 1 && e.pid !== victim, 20_000);
    // (Counted once answered: the second scrape sees the first.)
    await receiver.admin('/metrics', { headers: { connection: 'close' } });
    const after = await (await receiver.admin('/metrics', { headers: { connection: 'close' } })).text();
    assert.equal(sample(after, 'd1t_worker_restarts_total'), 1);
    assert.ok(sample(after, 'd1t_requests_total', { listener: 'admin', route: 'metrics', status: 200 }) >= 1);
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
