// A trap inside WebAssembly (here: its 4 GiB memory ceiling) never leaves a
// tracker that looks alive: in a child process, a tracker is fed large
// notifications until the module traps; the call throws a D1TrackingError
// with code WASM_TRAP, every later call on that tracker does too, and a new
// tracker works (a fresh module instance). wasmMemoryBytes() reads right at
// the ceiling.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pkgDir } from './helpers.mjs';

const child = `
const { Tracker, wasmMemoryBytes } = require(${JSON.stringify(join(pkgDir, 'index.cjs'))});
// Bounds raised so that only memory stops the tracker.
const t = new Tracker({ maxStateBytes: 4294967295, maxCards: 4294967295, maxOperationBytes: 65535,
  maxStringBytes: 65535, maxBodyBytes: 16777216, maxOperationsPerBody: 100000 });
const filler = 'x'.repeat(60000);
let cards = 0, peak = 0, first = null;
const started = Date.now();
while (Date.now() - started < 120000) {
  const ops = [];
  for (let i = 0; i < 200; i++, cards++) {
    ops.push({ operationId: 'op-1', operation: 'STANDALONE_TRACKING', status: 'PENDING', startTime: '2026-03-02T09:00:00Z',
      cardId: 'card-' + cards, details: { trackingType: 'SHIPMENT', filler } });
  }
  try {
    t.apply(JSON.stringify({ operations: ops }));
    peak = Math.max(peak, wasmMemoryBytes());
  } catch (e) {
    first = { name: e.name, code: e.code, message: e.message };
    break;
  }
}
const later = [];
for (const call of [() => t.size, () => t.card('card-1'), () => t.apply('{"operations":[]}'), () => t.snapshot()]) {
  try { call(); later.push('returned'); } catch (e) { later.push(e.code); }
}
t.free();
const fresh = new Tracker();
const report = fresh.apply(JSON.stringify({ operations: [{ operationId: 'op-1', operation: 'STANDALONE_TRACKING',
  status: 'PENDING', startTime: '2026-03-02T09:00:00Z', cardId: 'card-1', details: { trackingType: 'SHIPMENT' } }] }));
console.log(JSON.stringify({ cards, peak, first, later, fresh: report.operations[0].outcome, freshMemory: wasmMemoryBytes(),
  phase: fresh.card('card-1').phase }));
`;

test('the 4 GiB ceiling: WASM_TRAP on that tracker, on every later call, and a new tracker works', () => {
  const run = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', timeout: 300000, maxBuffer: 1 << 20 });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
  console.log(`trap after ${result.cards} cards, memory ${result.peak} bytes: ${result.first?.message}`);
  assert.ok(result.first, `no trap within the time given, at ${result.peak} bytes`);
  assert.equal(result.first.name, 'D1TrackingError');
  assert.equal(result.first.code, 'WASM_TRAP');
  assert.ok(result.peak > 4.0e9, `memory at the ceiling reads ${result.peak}`);
  assert.deepEqual(result.later, ['WASM_TRAP', 'WASM_TRAP', 'WASM_TRAP', 'WASM_TRAP']);
  assert.equal(result.fresh, 'applied');
  assert.equal(result.phase, 'TRACKING');
  assert.ok(result.freshMemory < 1e8, `the fresh instance holds ${result.freshMemory} bytes`);
});
