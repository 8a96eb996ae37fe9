// The npm package against two peers doing the same job on the same bodies:
// a plain-JavaScript reducer and the same fold on XState. Bodies are Buffers,
// as a webhook hands them over; the three run interleaved, several rounds,
// and the median of each is kept. Before timing, every peer's card views must
// equal the package's on the whole stream, or the bench fails.
//   node bench/node/bench.mjs WORKLOAD_DIR [ROUNDS]   (prints JSON lines)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracker } from '../../bindings-wasm/pkg/index.mjs';
import { PlainTracker, canonical } from './plain-reducer.mjs';
import { makeXStateTracker } from './xstate-reducer.mjs';

const dir = process.argv[2] ?? 'target/bench/workloads';
const rounds = Number(process.argv[3] ?? 7);
const load = (name) => readFileSync(join(dir, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => Buffer.from(l));

const peers = {
  package: () => { const t = new Tracker(); return { apply: (b) => t.apply(b), views: () => t.cards(), done: () => t.free() }; },
  plain: () => { const t = new PlainTracker(); return { apply: (b) => t.apply(b), views: () => t.cardsView(), done: () => {} }; },
  xstate: () => { const t = makeXStateTracker(); return { apply: (b) => t.apply(b), views: () => t.cardsView(), done: () => {} }; },
};

// Same semantics, checked: identical views after the whole stream.
const stream = load('stream');
const reference = (() => { const p = peers.package(); stream.forEach(p.apply); const v = canonical(p.views()); p.done(); return v; })();
for (const name of ['plain', 'xstate']) {
  const p = peers[name]();
  stream.forEach(p.apply);
  if (canonical(p.views()) !== reference) {
    console.error(`${name}: its card views differ from the package's; the comparison would be unfair`);
    process.exit(1);
  }
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const workload of ['shipment_update', 'bulk', 'stream']) {
  const bodies = load(workload);
  const times = { package: [], plain: [], xstate: [] };
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(peers)) {
      const p = peers[name]();
      const began = process.hrtime.bigint();
      for (const b of bodies) p.apply(b);
      times[name].push(Number(process.hrtime.bigint() - began) / 1e6);
      p.done();
    }
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  console.log(JSON.stringify({ bench: 'node', workload, bodies: bodies.length, rounds, ms: m,
    plain_over_package: m.plain / m.package, xstate_over_package: m.xstate / m.package }));
}

// The host path: the stream folded through per-card rows (cardsOfBody, the
// rows from a Map standing in for the database, foldRows, the new rows
// written back) against apply on one warm tracker.
{
  const bodies = load('stream');
  const times = { warm: [], rows: [] };
  for (let r = 0; r < rounds; r++) {
    const t = new Tracker();
    let began = process.hrtime.bigint();
    for (const b of bodies) t.apply(b);
    times.warm.push(Number(process.hrtime.bigint() - began) / 1e6);
    t.free();
    const host = new Tracker();
    const table = new Map();
    began = process.hrtime.bigint();
    for (const b of bodies) {
      const rows = host.cardsOfBody(b).map((cardId) => ({ cardId, row: table.get(cardId) ?? null }));
      for (const u of host.foldRows(b, rows).cards) table.set(u.cardId, u.row);
    }
    times.rows.push(Number(process.hrtime.bigint() - began) / 1e6);
    host.free();
  }
  const m = { warm: median(times.warm), rows: median(times.rows) };
  console.log(JSON.stringify({ bench: 'node_rows', workload: 'stream', bodies: bodies.length, rounds, ms: m, rows_over_warm: m.rows / m.warm }));
}
