// The receiver's load bench: the test's D1-like traffic sent by concurrent
// clients over loopback to a receiver with N workers on SQLite or
// PostgreSQL; throughput, latency and the library's share of a request's
// time (from the receiver's Server-Timing header). One JSON line on stdout.
//
//   node bench/load.mjs --database sqlite|postgres --workers N [--cards 2000] [--clients 16]
//
// PostgreSQL: D1T_BENCH_DATABASE_URL names a server; a fresh database is
// created for the run and dropped after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { startReceiver } from '../test/harness.mjs';
import { traffic } from '../test/traffic.mjs';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    workers: { type: 'string', default: '1' },
    cards: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '16' },
  },
});
const workers = Number(args.workers);
const clients = Number(args.clients);
const ISSUER = 'ISSUER0001';

const dir = mkdtempSync(join(tmpdir(), 'd1t-load-'));
let env = { SQLITE_PATH: join(dir, 'load.db') };
let dropDatabase = async () => {};
if (args.database === 'postgres') {
  const server = process.env.D1T_BENCH_DATABASE_URL;
  if (!server) throw new Error('D1T_BENCH_DATABASE_URL is not set');
  const name = `receiver_load_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  env = { DATABASE_URL: url.href };
  dropDatabase = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}

const { sends, stats } = traffic({ cards: Number(args.cards), seed: 7 });
const requests = sends.map((s) => s.kind === 'body'
  ? { listener: 'd1', path: `/notifications/d1/v2/issuers/${ISSUER}/cards`, body: s.text, operations: JSON.parse(s.text).operations.length }
  : { listener: 'admin', path: `/issuers/${ISSUER}/cards/${s.cardId}/tracking-requests`, body: JSON.stringify({ trackingType: s.trackingType, atMs: s.atMs }), operations: 0 });

const receiver = await startReceiver({
  ...env, WORKERS: String(workers), OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0',
});
const latencies = [];
let library = 0;
let database = 0;
let total = 0;
let failures = 0;
let connectionErrors = 0;
let next = 0;
const started = performance.now();
await Promise.all(Array.from({ length: clients }, async () => {
  for (let i = next++; i < requests.length; i = next++) {
    for (;;) {
      const t0 = performance.now();
      let res;
      try {
        res = await receiver[requests[i].listener](requests[i].path, { method: 'POST', body: requests[i].body });
        await res.arrayBuffer();
      } catch (err) {
        // Sent again, as D1 would; counted, and the receiver's log says why.
        connectionErrors++;
        continue;
      }
      latencies.push(performance.now() - t0);
      for (const [, name, dur] of (res.headers.get('server-timing') ?? '').matchAll(/(\w+);dur=([\d.]+)/g)) {
        if (name === 'library') library += Number(dur);
        if (name === 'database') database += Number(dur);
        if (name === 'total') total += Number(dur);
      }
      if (res.ok) break;
      failures++;
    }
  }
}));
const seconds = (performance.now() - started) / 1000;
const deaths = receiver.entries.filter((e) => e.event === 'worker_died');
for (const e of receiver.entries.filter((x) => x.level === 'error')) process.stderr.write(`${JSON.stringify(e)}\n`);
process.stderr.write(receiver.stderr());
await receiver.stop();
await dropDatabase();
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
const notifications = requests.reduce((n, r) => n + r.operations, 0);
const cores = availableParallelism();
process.stdout.write(`${JSON.stringify({
  bench: 'receiver', database: args.database, workers, clients, cores, cards: stats.cards,
  requests: requests.length, notifications, failures, connection_errors: connectionErrors, worker_deaths: deaths.length, seconds,
  notifications_per_s: notifications / seconds, notifications_per_s_per_core: notifications / seconds / cores,
  requests_per_s: requests.length / seconds, p50_ms: at(0.5), p99_ms: at(0.99),
  library_share: library / total, database_share: database / total,
  library_ms_per_request: library / latencies.length, database_ms_per_request: database / latencies.length,
  server_ms_per_request: total / latencies.length,
})}\n`);
