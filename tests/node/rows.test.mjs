// The host path in Node (docs/decisions.md, "The host path"): cards of a
// body, fold against rows, requests on rows, evict/clear, pieces of the
// snapshot, pages of cards, the state bound. The same behaviour as the Rust
// tests in core/tests/rows.rs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';

const { Tracker } = pkg;

const op = (card, status) => ({
  operationId: 'op-1', operation: 'STANDALONE_TRACKING', status, startTime: '2026-03-02T09:00:00Z',
  cardId: card, details: { trackingType: 'SHIPMENT' },
});
const body = (...ops) => JSON.stringify({ operations: ops });

/** What a host does per body with a Map as its table. */
function foldInto(table, host, b) {
  const rows = host.cardsOfBody(b).map((cardId) => ({ cardId, row: table.get(cardId) ?? null }));
  const folded = host.foldRows(b, rows);
  for (const u of folded.cards) table.set(u.cardId, u.row);
  return folded;
}

test('folding through rows gives the rows and views of one tracker, and leaves the host tracker empty', () => {
  const bodies = [];
  for (let i = 0; i < 30; i++) bodies.push(body(op(`card-${i % 7}`, ['PENDING', 'SUCCESSFUL', 'FAILED'][i % 3])));
  const one = new Tracker();
  bodies.forEach((b) => one.apply(b));
  const host = new Tracker();
  const table = new Map();
  const outbox = [];
  for (const b of bodies) for (const u of foldInto(table, host, b).cards) outbox.push(...u.changes.map((c) => [u.cardId, c]));
  assert.equal(host.size, 0);
  for (const id of one.cardIds()) assert.equal(table.get(id), one.exportCard(id));
  // The outbox is a complete chain per card and field, ending at the view.
  const last = new Map();
  for (const [card, c] of outbox) {
    const key = `${card} ${c.trackingType} ${c.field}`;
    assert.deepEqual(c.old, last.has(key) ? last.get(key) : null, key);
    last.set(key, c.new);
  }
  for (const [key, value] of last) {
    const [card, kind, field] = key.split(' ');
    const view = one.card(card);
    assert.deepEqual(kind === 'null' ? view[field] : view.trackings[kind][field] ?? null, value, key);
  }
  one.free();
  host.free();
});

test('an unreadable row fails its card only: its operation is parked with its raw text, the other card folds', () => {
  const host = new Tracker();
  const b = body(op('card-1', 'PENDING'), op('card-2', 'SUCCESSFUL'));
  const folded = host.foldRows(b, [{ cardId: 'card-1', row: '{"format":"d1-tracking/9","cards":[]}' }, { cardId: 'card-2', row: null }]);
  assert.deepEqual(folded.failed.map((f) => [f.cardId, f.error.code, f.error.path]), [['card-1', 'SNAPSHOT_INVALID', 'rows[0].format']]);
  assert.deepEqual(folded.report.operations.map((o) => [o.outcome, o.retry]), [['rejected', false], ['applied', false]]);
  assert.equal(folded.report.operations[0].raw, JSON.stringify(op('card-1', 'PENDING')));
  assert.deepEqual(folded.cards.map((c) => c.cardId), ['card-2']);
  host.free();
});

test('a missing row is an error naming the card; a body rejected whole is rejected as apply rejects it', () => {
  const host = new Tracker();
  assert.throws(() => host.foldRows(body(op('card-1', 'PENDING')), []),
    (e) => e.name === 'D1TrackingError' && e.code === 'FIELD_MISSING' && e.path === 'rows' && /card-1/.test(e.message));
  assert.throws(() => host.cardsOfBody('{'), (e) => e.code === 'PARSING_ERROR');
  assert.throws(() => host.foldRows(body(op('card-1', 'PENDING')), 'rows'), (e) => e.code === 'INVALID_ARGUMENT' && e.path === 'rows');
  assert.deepEqual(host.cardsOfBody(body(op('card-2', 'PENDING'), op('card-1', 'PENDING'), op('card-2', 'FAILED'))), ['card-1', 'card-2']);
  host.free();
});

test('a request on a row returns the new row and its phase change', () => {
  const host = new Tracker();
  const update = host.recordRequestOnRow({ cardId: 'card-1', row: null }, 'PRODUCE', 1_772_442_000_000);
  assert.equal(update.view.phase, 'TRACKING_REQUESTED');
  assert.deepEqual(update.changes.map((c) => [c.field, c.old, c.new]), [['phase', null, 'TRACKING_REQUESTED']]);
  const next = foldInto(new Map([['card-1', update.row]]), host, body(op('card-1', 'PENDING')));
  assert.deepEqual(next.cards[0].changes.at(-1), { trackingType: null, field: 'phase', old: 'TRACKING_REQUESTED', new: 'TRACKING' });
  host.free();
});

test('evict, clear, pieces of the snapshot and pages of cards', () => {
  const t = new Tracker();
  for (let i = 0; i < 25; i++) t.apply(body(op(`card-${String(i).padStart(2, '0')}`, 'PENDING')));
  assert.ok(t.stateBytes > 0);
  for (const per of [1, 7, 25, 100]) {
    const pieces = [...t.snapshotChunks(per)];
    assert.equal(pieces.length, Math.ceil(25 / per));
    assert.equal(pieces.join(''), t.snapshot());
    const back = new Tracker();
    back.restoreChunks(pieces.map((p) => Buffer.from(p)));
    assert.equal(back.snapshot(), t.snapshot());
    back.free();
  }
  const seen = [];
  for (let page = t.cardsPage(undefined, 10); page.length > 0; page = t.cardsPage(page.at(-1).cardId, 10)) {
    seen.push(...page.map((c) => c.cardId));
  }
  assert.deepEqual(seen, t.cardIds());
  const row = t.evict('card-03');
  assert.match(row, /card-03/);
  assert.equal(t.evict('card-03'), undefined);
  assert.equal(t.size, 24);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.stateBytes, 0);
  t.free();
});

test('maxStateBytes refuses with retry: true and changes nothing', () => {
  const t = new Tracker({ maxStateBytes: 1000 });
  let refused;
  for (let i = 0; i < 20 && !refused; i++) {
    const before = t.snapshot();
    const o = t.apply(body(op(`card-${i}`, 'PENDING'))).operations[0];
    if (o.outcome === 'rejected') {
      assert.equal(t.snapshot(), before, 'the refused notification changed nothing');
      refused = o;
    }
  }
  assert.ok(refused, 'the bound is reached');
  assert.equal(refused.retry, true);
  assert.equal(refused.error.code, 'LIMIT_EXCEEDED');
  assert.ok(t.stateBytes <= 1000);
  t.free();
});

test('snapshot() leaves the module memory well under the snapshot\'s size', () => {
  const { wasmMemoryBytes } = pkg;
  const t = new Tracker();
  const ops = [];
  for (let i = 0; i < 20000; i++) ops.push(op(`card-${i}`, 'PENDING'));
  for (let i = 0; i < ops.length; i += 500) t.apply(body(...ops.slice(i, i + 500)));
  const before = wasmMemoryBytes();
  const text = t.snapshot();
  const grown = wasmMemoryBytes() - before;
  assert.ok(text.length > 4_000_000, `${text.length}`);
  // One piece at a time: the module grows by a piece at most, not by a multiple of the text.
  assert.ok(grown < text.length / 4, `the module grew by ${grown} bytes for a ${text.length}-byte snapshot`);
  t.free();
});
