// Folding 200,000 notifications for a bounded set of cards must not grow the
// wasm memory beyond what the (bounded) state needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';

const CARDS = 200;
const TOTAL = 200_000;
const PER_BODY = 100;

/** Notification n: a shipment update of card n % CARDS, every one distinct. */
function notification(n) {
  const card = n % CARDS;
  const update = Math.floor(n / CARDS);
  const end = new Date(Date.UTC(2026, 2, 3) + update * 60_000).toISOString();
  const statuses = ['InfoReceived', 'InTransit', 'OutForDelivery', 'AttemptFail'];
  return {
    operationId: `op-${card}`, operation: 'STANDALONE_TRACKING', status: 'SUCCESSFUL',
    startTime: '2026-03-02T09:00:00.000Z', endTime: end, cardId: `card-${card}`,
    details: { trackingType: 'SHIPMENT', status: 'CARD_SHIPPED',
      shipment: { carrier: 'ups', trackingNumber: `1Z${card}`, status: statuses[update % 4], message: `update ${update}` } },
  };
}

function fold(tracker, from, to) {
  for (let start = from; start < to; start += PER_BODY) {
    const ops = [];
    for (let n = start; n < Math.min(start + PER_BODY, to); n++) ops.push(notification(n));
    const report = tracker.apply(Buffer.from(JSON.stringify({ operations: ops })), start);
    assert.equal(report.operations.length, ops.length);
  }
}

test(`folding ${TOTAL} notifications for ${CARDS} cards keeps wasm memory flat`, (t) => {
  const tracker = new pkg.Tracker();
  // Past the bound of kept notifications (32 + witnesses per operation).
  fold(tracker, 0, 20_000);
  const warm = pkg.wasmMemoryBytes();
  fold(tracker, 20_000, TOTAL);
  const end = pkg.wasmMemoryBytes();
  const snapshotBytes = tracker.snapshot().length;
  assert.equal(tracker.size, CARDS);
  t.diagnostic(`wasm memory: ${(warm / 2 ** 20).toFixed(2)} MiB after 20,000, ${(end / 2 ** 20).toFixed(2)} MiB after ${TOTAL}; snapshot ${(snapshotBytes / 2 ** 20).toFixed(2)} MiB`);
  // The state stops growing once every operation holds its bounded history:
  // 180,000 more notifications may cost at most 1 MiB of growth (allocator slack).
  assert.ok(end - warm <= 2 ** 20, `grew by ${end - warm} bytes`);
  // And the whole is a small multiple of the state it holds.
  assert.ok(end <= 8 * snapshotBytes + 4 * 2 ** 20, `${end} bytes of memory for a ${snapshotBytes}-byte state`);
  const views = tracker.cards();
  assert.equal(views.length, CARDS);
  assert.ok(views.every((v) => v.trackings.SHIPMENT.notifications <= 40));
  tracker.free();
});
